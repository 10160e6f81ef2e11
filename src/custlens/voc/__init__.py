"""Voice of the customer: satisfaction index (AHP, derived importance), surveys, NPS, feedback text, service.

Optional packages (``pip install 'custlens[voc]'``): jieba, snownlp, vaderSentiment for the
feedback texts, factor-analyzer for the factor analysis. The rest needs only the core.
"""

from custlens.voc.ahp import RANDOM_INDEX, AHPResult, ahp, read_matrix
from custlens.voc.drivers import driver_table, shapley_r2
from custlens.voc.nps import NPSResult, nps_analysis, nps_behaviour, nps_ci
from custlens.voc.satisfaction import DEFAULT_GRADES, SatisfactionResult, satisfaction_index
from custlens.voc.service import DEFAULT_SLA, ServiceResult, service_analysis
from custlens.voc.summary import summary_finding
from custlens.voc.survey import SurveyResult, cronbach_alpha, factor_analysis, survey_analysis
from custlens.voc.text import FeedbackResult, categorise, feedback_analysis, tokenize

__all__ = [
    "AHPResult", "DEFAULT_GRADES", "DEFAULT_SLA", "FeedbackResult", "NPSResult", "RANDOM_INDEX",
    "SatisfactionResult", "ServiceResult", "SurveyResult", "ahp", "categorise", "cronbach_alpha",
    "driver_table", "factor_analysis", "feedback_analysis", "nps_analysis", "nps_behaviour", "nps_ci",
    "read_matrix", "satisfaction_index", "service_analysis", "shapley_r2", "summary_finding",
    "survey_analysis", "tokenize",
]
