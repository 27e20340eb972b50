"""All models, imported here so Alembic and the app see the whole schema."""

from survey_app.models.campaigns import Campaign
from survey_app.models.campaigns import CampaignForm
from survey_app.models.collection_points import CollectionPoint
from survey_app.models.collection_points import RetiredToken
from survey_app.models.field import OrganisationAssignment
from survey_app.models.field import SurveyorAssignment
from survey_app.models.form_versions import Form
from survey_app.models.form_versions import FormVersion
from survey_app.models.imports import ImportBatch
from survey_app.models.imports import ImportRow
from survey_app.models.imports import ImportStatus
from survey_app.models.integrity import Decision
from survey_app.models.integrity import FlagReview
from survey_app.models.integrity import FlagReviewItem
from survey_app.models.integrity import UsedTicket
from survey_app.models.responses import Answer
from survey_app.models.responses import Channel
from survey_app.models.responses import Response
from survey_app.models.rulebooks import RulebookVersion
from survey_app.models.tallies import ResponseTally
from survey_app.models.units import Commune
from survey_app.models.units import Grouping
from survey_app.models.units import Province
from survey_app.models.users import Organisation
from survey_app.models.users import Role
from survey_app.models.users import User

__all__ = [
    "Answer",
    "Campaign",
    "CampaignForm",
    "Channel",
    "CollectionPoint",
    "Commune",
    "Decision",
    "FlagReview",
    "FlagReviewItem",
    "Form",
    "FormVersion",
    "Grouping",
    "ImportBatch",
    "ImportRow",
    "ImportStatus",
    "Organisation",
    "OrganisationAssignment",
    "Province",
    "Response",
    "ResponseTally",
    "RetiredToken",
    "Role",
    "RulebookVersion",
    "SurveyorAssignment",
    "UsedTicket",
    "User",
]
