"""Plausible synthetic personal data for the simulated PROMIPYME firms.

The simulated raw data must exercise privacy handling (``prepare`` drops every column the
codebook marks ``personal`` and pseudonymizes ``firm_id``), so names, tax identifiers and
e-mails look like real Colombian and Ecuadorian records without belonging to anyone: names are
random combinations of common Spanish given names and surnames; tax ids come from a bijection of
the firm's index (so they are unique) with the official check digits:

- Colombia, NIT: 9 digits, then the DIAN check digit (weights 3, 7, 13, ..., 71 from the right,
  modulo 11), written ``900123456-7``.
- Ecuador, RUC of a private company: province code (2 digits), ``9``, a 6-digit serial, the
  SRI modulo-11 check digit (coefficients 4, 3, 2, 7, 6, 5, 4, 3, 2), then ``001``.

Everything here is drawn from the ``numpy.random.Generator`` passed in, element by element, so
the output depends only on the seed.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np

# Territories (departments of Colombia with their DANE codes, provinces of Ecuador with the
# two-digit codes that open a RUC). The lists are in a fixed order: the simulation picks from
# them by index.
TERRITORIES: dict[str, tuple[tuple[str, str], ...]] = {
    "CO": (
        ("68", "Santander"),
        ("54", "Norte de Santander"),
        ("05", "Antioquia"),
        ("11", "Bogotá D.C."),
        ("76", "Valle del Cauca"),
        ("08", "Atlántico"),
        ("15", "Boyacá"),
        ("25", "Cundinamarca"),
    ),
    "EC": (
        ("17", "Pichincha"),
        ("09", "Guayas"),
        ("01", "Azuay"),
        ("13", "Manabí"),
        ("07", "El Oro"),
        ("18", "Tungurahua"),
        ("10", "Imbabura"),
        ("11", "Loja"),
    ),
}

FEMALE_NAMES = (
    "María", "Ana", "Luz", "Carmen", "Claudia", "Sandra", "Patricia", "Diana", "Paola",
    "Andrea", "Natalia", "Catalina", "Gabriela", "Verónica", "Lucía", "Mónica", "Adriana",
    "Juliana", "Valentina", "Daniela", "Rosa", "Marcela", "Ximena", "Fernanda", "Alejandra",
    "Johanna", "Liliana", "Gloria", "Elena", "Martha",
)  # fmt: skip
MALE_NAMES = (
    "José", "Luis", "Carlos", "Juan", "Jorge", "Andrés", "Diego", "Fernando", "Ricardo",
    "Javier", "Alejandro", "Mauricio", "Santiago", "Camilo", "Felipe", "Oscar", "Hernán",
    "Pablo", "Sergio", "Héctor", "Álvaro", "Germán", "Edwin", "Fabián", "Iván", "Julián",
    "Manuel", "Raúl", "Wilson", "Xavier",
)  # fmt: skip
SURNAMES = (
    "Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez",
    "Ramírez", "Pérez", "Díaz", "Moreno", "Muñoz", "Rojas", "Jaramillo", "Vargas", "Castro",
    "Ortiz", "Rubio", "Suárez", "Zambrano", "Vera", "Mendoza", "Cevallos", "Andrade",
    "Villacís", "Salazar", "Paredes", "Guerrero", "Benítez", "Ospina", "Cárdenas", "Quintero",
    "Acosta", "Pinzón", "Serrano", "Toapanta", "Chávez", "Espinoza", "Navarrete",
)  # fmt: skip
PLACE_WORDS = (
    "Andina", "del Oriente", "del Pacífico", "La Esperanza", "El Roble", "Santa Fe",
    "Los Andes", "Nueva Era", "El Progreso", "San José", "La Montaña", "del Valle",
    "Horizonte", "Tierra Viva", "El Sol", "La Cosecha", "Cordillera", "Integral",
)  # fmt: skip
SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("Agropecuaria", "Agrícola", "Cafetera", "Flores", "Hacienda", "Frutas"),
    "C": ("Confecciones", "Manufacturas", "Calzado", "Alimentos", "Muebles", "Industrias"),
    "F": ("Constructora", "Obras Civiles", "Ingeniería y Montajes", "Acabados"),
    "G": ("Comercializadora", "Distribuidora", "Ferretería", "Almacén", "Importadora"),
    "H": ("Transportes", "Logística", "Carga y Mensajería", "Transporte Especial"),
    "I": ("Restaurante", "Hotel", "Hostal", "Panadería", "Catering"),
    "J": ("Soluciones Digitales", "Software", "Comunicaciones", "Desarrollo Web"),
    "M": ("Consultores", "Asesorías", "Diseño", "Estudio Contable", "Arquitectura"),
    "N": ("Servicios Generales", "Aseo Industrial", "Eventos", "Turismo", "Seguridad"),
}
LEGAL_FORMS = {"CO": ("S.A.S.", "S.A.S.", "S.A.S.", "Ltda.", "S.A."),
               "EC": ("Cía. Ltda.", "Cía. Ltda.", "S.A.", "S.A.")}  # fmt: skip
MAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.es")

_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_RUC_COEFFICIENTS = (4, 3, 2, 7, 6, 5, 4, 3, 2)
_NIT_PRIME = 99_999_989  # largest prime below 10**8: index -> serial is a bijection
_RUC_PRIME = 999_983  # largest prime below 10**6


def _pick(rng: np.random.Generator, words: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), size=n)]


@cache
def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def nit_check_digit(number: int) -> int:
    """DIAN check digit of a Colombian NIT (modulo 11 with prime weights from the right)."""
    digits = str(number)[::-1]
    total = sum(int(d) * w for d, w in zip(digits, _NIT_WEIGHTS, strict=False))
    rest = total % 11
    return rest if rest in (0, 1) else 11 - rest


def ruc_check_digit(first_nine: str) -> int | None:
    """SRI check digit of a private-company RUC (third digit 9); None if no valid digit."""
    total = sum(int(d) * c for d, c in zip(first_nine, _RUC_COEFFICIENTS, strict=True))
    rest = total % 11
    digit = 0 if rest == 0 else 11 - rest
    return None if digit == 10 else digit


def tax_ids(
    rng: np.random.Generator, country: np.ndarray, province: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """Unique NIT (CO) or RUC (EC) strings for firms with the given 0-based indices.

    Serial numbers are ``(a * index + b) mod p`` for a prime ``p`` and random ``a, b``: a
    bijection, so no two firms share an id. RUC serials are numbered per province and skip the
    serials for which the SRI rule has no check digit.
    """
    n = len(index)
    out = np.empty(n, dtype=object)
    a, b = (int(v) for v in rng.integers(1, _NIT_PRIME, size=2))
    co = np.flatnonzero(country == "CO")
    base = 800_000_000 + (a * np.asarray(index, dtype=np.int64)[co] + b) % _NIT_PRIME
    total = np.zeros(len(co), dtype=np.int64)
    for k, w in enumerate(_NIT_WEIGHTS[:9]):  # digits from the right
        total += (base // 10**k) % 10 * w
    rest = total % 11
    digit = np.where(rest < 2, rest, 11 - rest)
    out[co] = [f"{x}-{d}" for x, d in zip(base.tolist(), digit.tolist(), strict=True)]
    c, d = (int(v) for v in rng.integers(1, _RUC_PRIME, size=2))
    ec = np.flatnonzero(country == "EC")
    for code in sorted(set(province[ec].tolist())):
        rows = ec[province[ec] == code]
        serials, digits = _valid_ruc_serials(code, len(rows), c, d)
        out[rows] = [f"{code}9{s:06d}{g}001" for s, g in zip(serials, digits, strict=True)]
    return out


def _valid_ruc_serials(code: str, n: int, c: int, d: int) -> tuple[list[int], list[int]]:
    """The first ``n`` serials of the sequence ``(c * k + d) mod p`` with a valid check digit."""
    m = n + n // 5 + 20
    while True:
        serial = (c * np.arange(m, dtype=np.int64) + d) % _RUC_PRIME
        digits = [int(code[0]), int(code[1]), 9] + [serial // 10**k % 10 for k in range(5, -1, -1)]
        total = sum(x * w for x, w in zip(digits, _RUC_COEFFICIENTS, strict=True))
        rest = total % 11
        digit = np.where(rest == 0, 0, 11 - rest)
        ok = np.flatnonzero(digit != 10)
        if len(ok) >= n:
            ok = ok[:n]
            return serial[ok].tolist(), digit[ok].tolist()
        m *= 2


def people_and_firms(
    rng: np.random.Generator,
    *,
    country: np.ndarray,
    sector: np.ndarray,
    women_led: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Owner names, firm names and e-mails (None for about 15% of firms).

    A women-led firm gets a female owner or manager; the others a male one in 90% of cases
    (a woman may own a firm that is not counted as women-led when a man manages it).
    """
    n = len(country)
    female = women_led | (rng.random(n) < 0.10)
    first = np.where(female, _pick(rng, FEMALE_NAMES, n), _pick(rng, MALE_NAMES, n))
    surname1 = _pick(rng, SURNAMES, n)
    surname2 = _pick(rng, SURNAMES, n)
    owner = np.array([f"{f} {s1} {s2}" for f, s1, s2 in zip(first, surname1, surname2, strict=True)],
                     dtype=object)  # fmt: skip
    style = rng.random(n)
    place = _pick(rng, PLACE_WORDS, n)
    word_draw = rng.random(n)
    form_draw = rng.random(n)
    mail_style = rng.random(n)
    domain = _pick(rng, MAIL_DOMAINS, n)
    number = rng.integers(1, 100, size=n)
    firm_name = np.empty(n, dtype=object)
    email = np.empty(n, dtype=object)
    for i in range(n):
        words = SECTOR_WORDS[sector[i]]
        forms = LEGAL_FORMS[country[i]]
        head = words[int(word_draw[i] * len(words))]
        tail = surname1[i] if style[i] < 0.5 else place[i]
        name = f"{head} {tail} {forms[int(form_draw[i] * len(forms))]}"
        firm_name[i] = name
        if mail_style[i] < 0.15:
            email[i] = None
        elif mail_style[i] < 0.55:
            tld = "com.co" if country[i] == "CO" else "com.ec"
            email[i] = f"contacto@{_ascii_slug(head + tail)[:24]}.{tld}"
        else:
            email[i] = f"{_ascii_slug(first[i])}.{_ascii_slug(surname1[i])}{number[i]}@{domain[i]}"
    return owner, firm_name, email
