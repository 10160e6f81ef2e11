"""Personal data: pseudonymisation at ingest, redaction in messages, small-group suppression
in reports, and `forget` (delete one customer everywhere, with a log that keeps no id)."""

from custlens.privacy.detect import REDACTED, personal_columns, personal_header, personal_value, redact_json, redact_record
from custlens.privacy.erase import ForgetResult, forget
from custlens.privacy.groups import MIN_GROUP, suppress_small_groups
from custlens.privacy.pseudo import is_pseudonymised, load_key, pseudonym

__all__ = ["REDACTED", "personal_columns", "personal_header", "personal_value", "redact_json", "redact_record",
           "is_pseudonymised", "load_key", "pseudonym", "forget", "ForgetResult", "MIN_GROUP",
           "suppress_small_groups"]
