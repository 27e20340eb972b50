"""All models, imported here so Alembic and the app see the whole schema."""

from survey_app.models.audit import AuditEntry
from survey_app.models.back_checks import BackCheck
from survey_app.models.campaigns import Campaign
from survey_app.models.campaigns import CampaignForm
from survey_app.models.campaigns import WindowChange
from survey_app.models.collection_points import CollectionPoint
from survey_app.models.collection_points import RetiredToken
from survey_app.models.field import OrganisationAssignment
from survey_app.models.field import SurveyorAssignment
from survey_app.models.form_versions import Form
from survey_app.models.form_versions import FormVersion
from survey_app.models.imports import ImportBatch
from survey_app.models.imports import ImportRow
from survey_app.models.imports import ImportStatus
from survey_app.models.integrity import FlagReview
from survey_app.models.integrity import FlagReviewItem
from survey_app.models.integrity import ReviewDecision
from survey_app.models.integrity import UsedTicket
from survey_app.models.jobs import Job
from survey_app.models.jobs import JobStatus
from survey_app.models.paradata import InterviewParadata
from survey_app.models.paradata import ParadataSource
from survey_app.models.recognition import Decision
from survey_app.models.recognition import Dossier
from survey_app.models.recognition import DossierEvent
from survey_app.models.recognition import DossierScore
from survey_app.models.recognition import DossierState
from survey_app.models.recognition import Evidence
from survey_app.models.recognition import Registration
from survey_app.models.recognition import ReportFiling
from survey_app.models.recognition import ReportingDeadline
from survey_app.models.responses import Answer
from survey_app.models.responses import Channel
from survey_app.models.responses import Response
from survey_app.models.rulebooks import RulebookVersion
from survey_app.models.tallies import ResponseTally
from survey_app.models.tallies import ResponseWeekTally
from survey_app.models.units import Commune
from survey_app.models.units import CommuneFormerName
from survey_app.models.units import Grouping
from survey_app.models.units import Province
from survey_app.models.users import Organisation
from survey_app.models.users import Role
from survey_app.models.users import User

__all__ = [
    "Answer",
    "AuditEntry",
    "BackCheck",
    "Campaign",
    "CampaignForm",
    "Channel",
    "CollectionPoint",
    "Commune",
    "CommuneFormerName",
    # recognition
    "Decision",
    "Dossier",
    "DossierEvent",
    "DossierScore",
    "DossierState",
    "Evidence",
    "FlagReview",
    "FlagReviewItem",
    "Form",
    "FormVersion",
    "Grouping",
    "ImportBatch",
    "ImportRow",
    "ImportStatus",
    "InterviewParadata",
    "Job",
    "JobStatus",
    "Organisation",
    "OrganisationAssignment",
    "ParadataSource",
    "Province",
    "Registration",
    "ReportFiling",
    "ReportingDeadline",
    "Response",
    "ResponseTally",
    "ResponseWeekTally",
    "RetiredToken",
    "ReviewDecision",
    "Role",
    "RulebookVersion",
    "SurveyorAssignment",
    "UsedTicket",
    "User",
    "WindowChange",
]
