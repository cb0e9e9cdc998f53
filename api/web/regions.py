"""A place's region as a page says it: the table is the statement's too, and lives with it
(certificates.regions); the pages import it from here.
"""

from certificates.regions import ALSO_WRITTEN, LANGUAGES, REGIONS, region_name

__all__ = ["ALSO_WRITTEN", "LANGUAGES", "REGIONS", "region_name"]
