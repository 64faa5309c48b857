"""The data model of DESIGN.md section 3: every raw and processed column, in one table.

This is the contract between the simulator (which writes ``codebook.csv`` from it), the
validator (which builds its schemas from it), ``prepare`` (which drops every column marked
``personal``) and the reports (which take labels from it). Real data maps its own column names
onto these through ``config/column_mapping.yml``.

Nothing here belongs to one programme: the legal countries, sectors and kinds of link come from
the configuration (``domain:``) at validation time, and the descriptions are neutral. The
minimal contract -- which columns a data set must have -- is :data:`REQUIRED`; every other
column is optional and unlocks the analyses that need it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

RAW_TABLES = ("firms", "firm_years", "links", "organizations", "prices")
# The minimal data contract: the tables and columns every data set must have. The rest is
# optional (absent columns are NULL in the processed data, absent tables are written empty).
REQUIRED_TABLES = ("firms", "firm_years")
REQUIRED = {"firms": ("firm_id", "cohort"), "firm_years": ("firm_id", "year")}
# Columns whose legal values come from the configuration (settings.domain), not from here.
DOMAIN_COLUMNS = {
    ("firms", "country"): "countries",
    ("organizations", "country"): "countries",
    ("prices", "country"): "countries",
    ("firms", "sector"): "sectors",
    ("links", "link_type"): "link_types",
}


@dataclass(frozen=True)
class Column:
    """One column of one table.

    ``dtype`` is one of ``string``, ``int``, ``float``, ``bool``; ``allowed`` lists the legal
    values of a categorical column; ``minimum``/``maximum`` bound numeric ones; ``required``
    columns must be present; ``nullable`` ones may be empty; ``personal`` ones never leave raw.
    """

    table: str
    name: str
    dtype: str
    unit: str
    description: str
    required: bool = True
    nullable: bool = False
    personal: bool = False
    allowed: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    label_es: str = ""


def _c(*args, **kwargs) -> Column:
    return Column(*args, **kwargs)


RAW_COLUMNS: tuple[Column, ...] = (
    # firms: one row per SME
    _c(
        "firms",
        "firm_id",
        "string",
        "",
        "Firm identifier in the program's records (unique)",
        label_es="Identificador de la empresa",
    ),
    _c(
        "firms",
        "tax_id",
        "string",
        "",
        "Tax identifier",
        personal=True,
        label_es="Identificador tributario",
    ),
    _c(
        "firms",
        "firm_name",
        "string",
        "",
        "Registered business name",
        personal=True,
        label_es="Razón social",
    ),
    _c(
        "firms",
        "owner_name",
        "string",
        "",
        "Name of the owner or manager",
        personal=True,
        label_es="Nombre del propietario",
    ),
    _c(
        "firms",
        "email",
        "string",
        "",
        "Contact e-mail",
        personal=True,
        required=False,
        nullable=True,
        label_es="Correo electrónico",
    ),
    _c(
        "firms",
        "country",
        "string",
        "",
        "Country (ISO 3166-1 alpha-2)",
        label_es="País",
    ),
    _c(
        "firms",
        "territory",
        "string",
        "",
        "Territory (department, province or region)",
        label_es="Territorio",
    ),
    _c(
        "firms",
        "sector",
        "string",
        "",
        "ISIC Rev.4 section",
        label_es="Sector (CIIU)",
    ),
    _c(
        "firms",
        "women_led",
        "bool",
        "",
        "Firm is led (owned or managed) by a woman",
        label_es="Liderada por mujer",
    ),
    _c(
        "firms",
        "founded",
        "int",
        "year",
        "Year the firm was founded",
        minimum=1900,
        maximum=2030,
        label_es="Año de fundación",
    ),
    _c(
        "firms",
        "participant",
        "bool",
        "",
        "Firm was supported by the programme",
        label_es="Participante",
    ),
    _c(
        "firms",
        "cluster_id",
        "string",
        "",
        "Business cluster (participants only)",
        nullable=True,
        label_es="Clúster empresarial",
    ),
    _c(
        "firms",
        "cohort",
        "int",
        "year",
        "First year of program support (participants only)",
        nullable=True,
        label_es="Cohorte (primer año de apoyo)",
    ),
    _c(
        "firms",
        "organization",
        "string",
        "",
        "Entrepreneurial organization supporting the cluster (participants only)",
        nullable=True,
        label_es="Organización empresarial",
    ),
    _c(
        "firms",
        "stratum",
        "string",
        "",
        "Recruitment stratum: territory x sector (default inference cluster)",
        label_es="Estrato (territorio x sector)",
    ),
    # firm_years: one row per SME and year, nominal local currency
    _c("firm_years", "firm_id", "string", "", "Firm identifier", label_es="Empresa"),
    _c(
        "firm_years",
        "year",
        "int",
        "year",
        "Calendar year",
        minimum=1990,
        maximum=2035,
        label_es="Año",
    ),
    _c(
        "firm_years",
        "responded",
        "bool",
        "",
        "Firm answered the survey that year",
        label_es="Respondió",
    ),
    _c(
        "firm_years",
        "sales",
        "float",
        "local currency",
        "Sales, nominal",
        nullable=True,
        minimum=0,
        label_es="Ventas",
    ),
    _c(
        "firm_years",
        "employees",
        "float",
        "persons",
        "Employees (annual average)",
        nullable=True,
        minimum=0,
        label_es="Empleados",
    ),
    _c(
        "firm_years",
        "wage_bill",
        "float",
        "local currency",
        "Wage bill, nominal",
        nullable=True,
        minimum=0,
        label_es="Masa salarial",
    ),
    _c(
        "firm_years",
        "intermediate_inputs",
        "float",
        "local currency",
        "Intermediate inputs (materials, services, energy), nominal",
        nullable=True,
        minimum=0,
        label_es="Consumo intermedio",
    ),
    _c(
        "firm_years",
        "capital_stock",
        "float",
        "local currency",
        "Fixed capital stock at year end, nominal",
        nullable=True,
        minimum=0,
        label_es="Stock de capital",
    ),
    _c(
        "firm_years",
        "exports",
        "float",
        "local currency",
        "Export sales, nominal",
        nullable=True,
        minimum=0,
        label_es="Exportaciones",
    ),
    _c(
        "firm_years",
        "bds_hours",
        "float",
        "hours",
        "Hours of business-development services received",
        nullable=True,
        minimum=0,
        label_es="Horas de servicios de desarrollo empresarial",
    ),
    _c(
        "firm_years",
        "linkages",
        "float",
        "count",
        "Active business links with other SMEs",
        nullable=True,
        minimum=0,
        label_es="Vínculos empresariales",
    ),
    # links: inter-firm business links
    _c("links", "firm_a", "string", "", "First firm of the link", label_es="Empresa A"),
    _c("links", "firm_b", "string", "", "Second firm of the link", label_es="Empresa B"),
    _c(
        "links",
        "year",
        "int",
        "year",
        "Year the link was active",
        minimum=1990,
        maximum=2035,
        label_es="Año",
    ),
    _c(
        "links",
        "link_type",
        "string",
        "",
        "Kind of business link",
        label_es="Tipo de vínculo",
    ),
    # organizations: the entrepreneurial organizations x year
    _c(
        "organizations",
        "organization",
        "string",
        "",
        "Organization identifier",
        label_es="Organización",
    ),
    _c(
        "organizations",
        "name",
        "string",
        "",
        "Organization name (an institution, public)",
        label_es="Nombre",
    ),
    _c("organizations", "country", "string", "", "Country", label_es="País"),
    _c(
        "organizations",
        "year",
        "int",
        "year",
        "Calendar year",
        minimum=1990,
        maximum=2035,
        label_es="Año",
    ),
    _c(
        "organizations",
        "bds_services",
        "int",
        "count",
        "Business-development services on offer",
        minimum=0,
        label_es="Servicios BDS ofrecidos",
    ),
    _c(
        "organizations",
        "bds_clients",
        "int",
        "count",
        "SMEs served with BDS",
        minimum=0,
        label_es="Clientes BDS",
    ),
    _c(
        "organizations",
        "staff_trained",
        "int",
        "persons",
        "Staff trained in BDS delivery",
        minimum=0,
        label_es="Personal capacitado",
    ),
    _c(
        "organizations",
        "bds_revenue",
        "float",
        "USD",
        "Revenue from BDS, nominal USD",
        minimum=0,
        label_es="Ingresos por BDS",
    ),
    _c(
        "organizations",
        "public_private_agreements",
        "int",
        "count",
        "Public-private agreements signed",
        minimum=0,
        label_es="Acuerdos público-privados",
    ),
    # prices: country x year
    _c("prices", "country", "string", "", "Country", label_es="País"),
    _c(
        "prices", "year", "int", "year", "Calendar year", minimum=1990, maximum=2035, label_es="Año"
    ),
    _c(
        "prices",
        "cpi",
        "float",
        "index",
        "Consumer price index",
        minimum=0,
        label_es="Índice de precios al consumidor",
    ),
    _c(
        "prices",
        "ppi",
        "float",
        "index",
        "Producer price index (deflator of sales and inputs)",
        minimum=0,
        label_es="Índice de precios al productor",
    ),
    _c(
        "prices",
        "usd_rate",
        "float",
        "local currency per USD",
        "Average exchange rate, local currency per US dollar",
        minimum=0,
        label_es="Tasa de cambio (moneda local por USD)",
    ),
)

# Firm-level columns: in a single long firm-year file (no firms file) these are read from
# firm_years and must be constant within a firm; they then form the firm table.
FIRM_LEVEL = tuple(c.name for c in RAW_COLUMNS if c.table == "firms" and c.name != "firm_id")

KEYS = {
    "firms": ("firm_id",),
    "firm_years": ("firm_id", "year"),
    "links": ("firm_a", "firm_b", "year", "link_type"),
    "organizations": ("organization", "year"),
    "prices": ("country", "year"),
}


def columns(table: str) -> tuple[Column, ...]:
    """The codebook rows of one raw table, in file order."""
    if table not in RAW_TABLES:
        raise KeyError(f"unknown table {table!r}; expected one of {RAW_TABLES}")
    return tuple(c for c in RAW_COLUMNS if c.table == table)


def personal_columns(table: str) -> tuple[str, ...]:
    """Columns of ``table`` that hold personal data and must never leave data/raw."""
    return tuple(c.name for c in columns(table) if c.personal)


def codebook_frame() -> pd.DataFrame:
    """The codebook as a table (what ``codebook.csv`` holds)."""
    frame = pd.DataFrame([asdict(c) for c in RAW_COLUMNS])
    frame["allowed"] = frame["allowed"].map(lambda v: "|".join(v) if v else "")
    return frame


# The analysis panel written by `evaluation prepare` to data/processed/panel.parquet: one row
# per firm and year. Money is real (deflated by the country's PPI to the base year, then
# converted to USD at the base year's rate) when a prices table covers the data, else as reported
# (nominal; the data manifest says which). `firm_id` is a keyed pseudonym. Every column is
# always present (NULL where its input was not supplied); outcomes taken from the raw data or
# declared in the configuration follow after these.
PANEL_COLUMNS: dict[str, str] = {
    "firm_id": "keyed pseudonym of the firm (HMAC-SHA256, 16 hex characters)",
    "year": "calendar year",
    "country": "country code",
    "territory": "territory (department, province or region)",
    "sector": "ISIC Rev.4 section",
    "stratum": "territory x sector; default inference cluster",
    "women_led": "1 if women-led, else 0",
    "participant": "1 if the firm was supported in the panel window, else 0",
    "cluster_id": "business cluster (participants), else missing",
    "organization": "supporting organization (participants), else missing",
    "cohort": "first year of support; 0 = never treated (comparison firm)",
    "founded": "year founded",
    "firm_age": "year - founded",
    "responded": "1 if the firm answered that year, else 0",
    "sales_usd": "real sales, base-year USD",
    "intermediate_inputs_usd": "real intermediate inputs, base-year USD",
    "value_added_usd": "real value added = sales - intermediate inputs, base-year USD",
    "value_added_usd_w": "value_added_usd winsorized within country x year (see winsorized)",
    "wage_bill_usd": "real wage bill, base-year USD",
    "capital_stock_usd": "real capital stock, base-year USD",
    "exports_usd": "real exports, base-year USD",
    "employees": "employees",
    "bds_hours": "hours of business-development services",
    "linkages": "active business links",
    "labor_productivity": "value added per employee, base-year USD",
    "labor_productivity_w": "labor_productivity winsorized within country x year",
    "log_labor_productivity": "log labor productivity (missing when value added <= 0)",
    "log_labor_productivity_w": "log of labor_productivity_w (missing when value added <= 0)",
    "log_value_added": "log real value added (missing when value added <= 0)",
    "log_value_added_w": "log of value_added_usd_w (missing when value added <= 0)",
    "log_sales": "log real sales",
    "log_employees": "log employees",
    "exporter": "1 if exports > 0, else 0",
    "va_nonpositive": "1 if value added <= 0 (left out of log outcomes, kept in counts)",
    "winsorized": (
        "1 if the row's value added or labor productivity was clipped to its country x year "
        "percentile cut-off (config preparation.winsorize; responding firm-years with value "
        "added > 0 only), else 0. Nothing is imputed: missing values stay missing"
    ),
    "rel_time": "year - cohort for participants, missing for comparison firms",
    "post": "1 if participant and year >= cohort",
    "treated": "participant x post (the DiD treatment dummy)",
    "balanced": "1 if the firm responded in every panel year",
    "baseline_log_employees": "log employees in the last pre-program year (time-invariant)",
    "baseline_log_labor_productivity": "log labor productivity in the last pre-program year",
}
