"""The words for every refusal's code, for the web and the shell, through Babel.

Services and ``forms`` say *what* went wrong as a code with parameters (``DomainError``,
``forms.validate.AnswerError``, ``forms.loader.Problem``, the import check's ``Problem``);
only this module says it in words, in the request's language
(Vietnamese unless ``?lang=`` asks otherwise) or, in a command, the default one. ``N_`` marks
a text for the catalogue without translating it yet (``make extract`` collects it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING
from typing import Any

from flask_babel import format_date
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from forms.loader import Problem
from forms.loader import place
from forms.validate import AnswerError
from survey_app.domain_error import DomainError

if TYPE_CHECKING:
    # For the annotation only: every layer imports this module, so it imports no service.
    from survey_app.services.bulk_import.imports import Problem as ImportProblem


def N_(text: str) -> str:  # noqa: N802  (the gettext convention's name)
    return text


#: code → text with %(name)s placeholders for the error's parameters.
TEXTS: dict[str, str] = {
    # Answers (forms.validate)
    "required": N_("Please answer this question."),
    "nothing_answered": N_("This sheet has no answer at all. A sheet on which the respondent "
                           "answered nothing is not entered."),
    "invalid_option": N_("Please choose one of the options shown."),
    "too_many": N_("Please choose only one option."),
    "too_long": N_("Please shorten your answer to at most %(max)s characters."),
    "out_of_range_between": N_("Please enter a number from %(min)s to %(max)s."),
    "out_of_range_min": N_("Please enter a number of at least %(min)s."),
    "out_of_range_max": N_("Please enter a number of at most %(max)s."),
    "not_integer": N_("Please enter a whole number."),
    "not_number": N_("Please enter a number."),
    # Accounts (services.people.accounts)
    "password_short": N_("The password must have at least %(min)s characters."),
    "password_common": N_("This password is too common or too easy to guess. "
                          "Please choose another."),
    "password_username": N_("The password must not contain the username."),
    "username_invalid": N_("A username may use only letters without accents, digits, "
                           "dots, dashes and underscores."),
    "username_taken": N_("The username %(username)s is already taken."),
    "scope_missing": N_("This role needs %(unit)s."),
    "role_not_allowed": N_("You may not give this role."),
    "not_yours": N_("You may not change this account."),
    "last_admin": N_("This is the last enabled administrator; it must stay."),
    "disable_self": N_("You cannot disable your own account."),
    "no_such_user": N_("There is no account %(username)s."),
    "password_same": N_("The new password must differ from the one you signed in with."),
    # Accounts in bulk (services.people.bulk_accounts)
    "cell_empty_column": N_("Column %(name)s is empty."),
    "scope_column_empty": N_("This role needs column %(name)s."),
    "full_name_too_long": N_("The full name is longer than %(max)s characters."),
    "role_unknown": N_("“%(value)s” is not a role. Write one of: %(allowed)s, or its name as "
                       "the template's list shows it."),
    "username_repeated": N_("Username %(username)s is also on row %(row)s."),
    # Assignments (services.people.assignments)
    "form_not_in_campaign": N_("This form is not part of the campaign."),
    "commune_outside_province": N_("These communes cannot be given to this surveyor."),
    "not_your_surveyor": N_("These communes cannot be given to this surveyor."),
    "campaign_outside_province": N_("These communes cannot be given to this surveyor."),
    # Collection points (services.collection_points)
    "form_retired": N_("Form %(form)s is no longer in use."),
    "point_exists": N_("%(commune)s already has a point for %(form)s with this label. "
                       "Give the new one another label, e.g. \"Counter 2\"."),
    "point_retired": N_("This point is retired; open a new one instead."),
    # Units and forms (services.catalogue)
    "unknown_province": N_("There is no province with code %(code)s."),
    "unknown_commune": N_("There is no commune with code %(code)s."),
    "unknown_organisation": N_("There is no organisation with code %(code)s."),
    "ambiguous_grouping": N_("Grouping code %(code)s is unknown or used in several "
                             "provinces: give the province as well."),
    "version_taken": N_("%(form)s version %(version)s was already published with other "
                        "content; raise the version number."),
    "version_older": N_("%(form)s already has version %(latest)s, newer than %(version)s."),
    # Unit figures and groupings (services.catalogue.unit_figures, groupings, unit_names)
    "sheet_column_unknown": N_("Unknown column “%(name)s”. The columns are: %(allowed)s."),
    "figure_invalid": N_("“%(value)s” is not a whole number (0 or more)."),
    "figure_too_large": N_("“%(value)s” is larger than %(max)s: check the figure."),
    "figure_out_of_range": N_("%(name)s must be a whole number from 0 to %(max)s."),
    "commune_repeated": N_("Commune %(code)s is also on row %(row)s."),
    "grouping_unknown": N_("There is no grouping with code “%(code)s” in %(province)s. Create "
                           "it on the groupings page first."),
    "grouping_other_province": N_("A grouping holds only communes of its own province."),
    "grouping_code_invalid": N_("A grouping code has 1 to 32 letters without accents, digits, "
                                "dots, dashes or underscores."),
    "grouping_name_invalid": N_("A grouping needs a name of at most 120 characters."),
    "grouping_kind_invalid": N_("A grouping is a district or an emulation cluster."),
    "grouping_code_taken": N_("The province already has a grouping with code %(code)s."),
    "rename_same": N_("The unit is already called %(name)s."),
    "rename_name_invalid": N_("A unit needs a name of at most 120 characters."),
    "rename_before_last": N_("A later renaming is already recorded (from %(day)s): the new name "
                             "must take effect after it."),
    # Forms from the admin pages (services.catalogue.form_admin)
    "definition_too_large": N_("the file is larger than %(max)s KB: no form is that long"),
    "yaml_aliases": N_("the file uses YAML anchors or aliases (& and *): write each part out "
                       "in full"),
    "unknown_form": N_("There is no form with code %(code)s."),
    "form_has_no_version": N_("Form %(form)s has no published version yet."),
    # Bulk import (services.bulk_import)
    "import_missing": N_("This import does not exist."),
    "import_expired": N_("This import can no longer be confirmed. Upload the file again."),
    "import_scope_changed": N_("Your assignments or the survey period changed since the "
                               "check. Upload the file again."),
    "import_conflict": N_("A row of this file was stored with other answers since the check, "
                          "so nothing was stored. Upload the file again to see which."),
    "empty": N_("The file is empty."),
    "old_xls": N_("This is an old Excel file (.xls). In Excel choose File › Save As › "
                  "Excel Workbook (.xlsx), then upload that file."),
    "bad_xlsx": N_("The file cannot be opened as an Excel workbook (.xlsx); it may be "
                   "damaged. Open it in Excel, save it again and upload it."),
    "not_utf8": N_("The file is not in UTF-8, so Vietnamese letters would be garbled "
                   "(first seen on line %(line)s). In Excel choose Save As › “CSV UTF-8 "
                   "(Comma delimited)”, or upload the .xlsx file instead."),
    "double_encoded": N_("The Vietnamese letters in this file are already garbled "
                         "(“%(sample)s” on line %(line)s): it was saved in the wrong "
                         "encoding. Open the original file and save it as “CSV UTF-8”, or "
                         "upload the .xlsx file."),
    "too_many_rows": N_("The file has more than %(max)s rows. Split it into smaller files."),
    # The check of an imported file, cell by cell (services.bulk_import.imports); a cell's
    # answer may also fail with an answer's code (invalid_option, too_long...), worded above.
    "answer_ambiguous": N_("“%(value)s” matches several answers; write the value instead: "
                           "%(values)s."),
    "answer_unknown": N_("“%(value)s” is not an answer to this question. Allowed: "
                         "%(allowed)s."),
    "cell_empty_required": N_("This question is required, but the cell is empty."),
    "column_repeated": N_("Column “%(name)s” appears twice (also column %(other)s)."),
    "column_unknown": N_("Unknown column “%(name)s”: form %(code)s version %(version)s has no "
                         "such column. Download the template again and copy the rows into it."),
    "column_missing": N_("Column “%(name)s” is missing. Row 1 must keep the template's column "
                         "names."),
    "commune_empty": N_("The commune code is empty."),
    "import_unknown_commune": N_("There is no commune with code “%(code)s”."),
    "commune_not_yours": N_("%(commune)s (code %(code)s) is not one of your communes for form "
                            "%(form)s."),
    "reference_too_long": N_("The paper form number is longer than %(max)s characters."),
    "date_invalid": N_("“%(value)s” is not a date. Write it as day/month/year, e.g. "
                       "05/03/2026."),
    "date_future": N_("The interview date %(day)s is in the future."),
    "date_before_opening": N_("The interview date %(day)s is before the survey opened on "
                              "%(opens)s."),
    "reference_repeated": N_("Paper form number “%(ref)s” is also on row %(row)s for the same "
                             "commune."),
    "row_repeated": N_("This row repeats row %(row)s exactly. If they are two different paper "
                       "forms, give each its own number in column ma_phieu."),
    "reference_changed": N_("Paper form number “%(ref)s” of this commune was already imported "
                            "with other answers. Check the form; if it is another one, give it "
                            "a new number."),
    "no_rows": N_("The file has no rows to import below its header."),
    # Form definition files (forms.loader.PROBLEM_CODES); lower case, as they follow
    # "file: place: " on a line of their own.
    "file_unreadable": N_("cannot read the file: %(error)s"),
    "yaml_invalid": N_("invalid YAML: %(error)s"),
    "definition_not_mapping": N_("the definition must be a YAML table (mapping)"),
    "key_unknown": N_("field '%(key)s' cannot be used"),
    "key_unknown_for_type": N_("field '%(key)s' cannot be used with a question of type "
                               "'%(type)s'"),
    "key_unknown_in_show_if": N_("field '%(key)s' cannot be used in show_if"),
    "key_missing": N_("field '%(key)s' is missing"),
    "key_not_text": N_("field '%(key)s' must be a non-empty text"),
    "not_boolean": N_("must be true or false"),
    "key_not_boolean": N_("'%(key)s' must be true or false"),
    "no_answer_not_required": N_("'allows_no_answer' applies only to a required question "
                                 "(an optional one may always be left blank)"),
    "form_code_invalid": N_("form code '%(value)s' is not valid (PKS01–PKS07)"),
    "version_invalid": N_("the version must be a positive whole number"),
    "organisation_invalid": N_("the organisation must be one of: %(allowed)s"),
    "quarter_invalid": N_("the quarter must be 1, 2, 3 or 4"),
    "sections_missing": N_("there must be at least one part (section)"),
    "section_not_mapping": N_("each part must be a table"),
    "section_id_invalid": N_("the part code (id) must be lowercase letters without accents, "
                             "digits, underscores"),
    "section_id_duplicate": N_("part code '%(id)s' is repeated"),
    "section_no_questions": N_("a part must have at least one question"),
    "question_not_mapping": N_("each question must be a table"),
    "question_id_invalid": N_("the question code must be lowercase letters without accents"),
    "question_id_duplicate": N_("the question code is repeated"),
    "question_type_invalid": N_("question type '%(type)s' is not valid (%(allowed)s)"),
    "options_too_few": N_("a choice question must have at least two options"),
    # %(value)r: the value as the file gave it, quoted if text, None if missing.
    "option_value_invalid": N_("option value %(value)r must be lowercase letters without "
                               "accents"),
    "option_value_duplicate": N_("option value '%(value)s' is repeated"),
    "show_if_invalid": N_("show_if must have the form {question: ..., equals: ...}"),
    "show_if_not_earlier": N_("show_if points to '%(question)s', which is not an earlier "
                              "question"),
    "show_if_not_choice": N_("show_if can only depend on a choice question; '%(question)s' is "
                             "not one"),
    "show_if_no_values": N_("show_if needs 'equals' or 'any_of'"),
    "show_if_unknown_values": N_("show_if uses values that are not in '%(question)s': "
                                 "%(values)s"),
    "rating_bounds_invalid": N_("a rating scale needs min < max, whole numbers from 0 to 10"),
    "number_bounds_invalid": N_("min and max of a number question must be numbers, min ≤ max"),
    "max_length_invalid": N_("max_length must be a whole number from 1 to 2000"),
    "satisfaction_missing": N_("the satisfaction question is not declared (satisfaction)"),
    "satisfaction_unknown_question": N_("satisfaction question '%(question)s' is not in the "
                                        "form"),
    "satisfaction_question_invalid": N_("the satisfaction question must be single choice, "
                                        "required and always shown"),
    "satisfied_empty": N_("'satisfied' must list at least one value"),
    "satisfied_unknown_values": N_("satisfaction levels that are not among the options: "
                                   "%(values)s"),
    # Any write
    "concurrent_change": N_("Someone else made the same change at the same moment. Reload "
                            "the page to see it, then try again if it is still needed."),
    # Two-step sign-in (services.people.two_factor)
    "totp_wrong_code": N_("That code is wrong or already used. Type the six digits your "
                          "authenticator app shows now."),
    "totp_not_allowed": N_("Two-step sign-in is for administrator and steering committee "
                           "accounts."),
    # Uploads refused before they are read (services.bulk_import.files: the input bounds)
    "not_utf16": N_("The file says it is UTF-16 but is damaged or cut off (near line "
                    "%(line)s). Save it again as “CSV UTF-8”, or upload the .xlsx file."),
    "too_many_lines": N_("The sheet runs to more than %(max)s rows, most of them empty. Delete "
                         "the empty rows below your data, or copy the rows into a new "
                         "template, and upload again."),
    "too_many_columns": N_("Row %(line)s has values beyond column %(max)s. The template has far "
                           "fewer columns: copy the rows into a new template."),
    "sheet_too_wide": N_("The sheet reaches beyond column %(max)s (cells there are filled in or "
                         "formatted). The template has far fewer columns: copy the rows into a "
                         "new template."),
    "cell_too_long": N_("A cell on row %(line)s is longer than %(max)s characters, longer than "
                        "any answer. Check that row."),
    "cell_characters": N_("Row %(line)s holds characters that cannot be stored (invisible "
                          "control characters). Retype that row, or copy it as plain text."),
    "xlsx_too_many_parts": N_("The workbook has more than %(max)s parts: it is not a filled-in "
                              "template. Copy the rows into a new template and upload that."),
    "xlsx_too_large": N_("The workbook unpacks to more than %(max)s MB, or unpacks far more "
                         "than a spreadsheet does: it was not read. Copy the rows into a new "
                         "template and upload that."),
    "xlsx_too_many_cells": N_("The workbook holds more cells or texts than %(rows)s rows of a "
                              "template: it was not read. Copy the rows into a new template "
                              "and upload that."),
    # Backups (survey_app.backup, flask backup)
    "backup_unknown_file": N_("%(file)s is not a backup made by flask backup create."),
    "backup_wrong_kind": N_("%(file)s is a backup of a %(kind)s database, but the configured "
                            "database is %(database)s."),
    "restore_not_empty": N_("The database already holds data (%(rows)s rows). A restore "
                            "replaces all of it: add --force if that is what you want."),
    "backup_no_file": N_("The configured SQLite database is not a file: there is nothing to "
                         "back up or restore."),
    "backup_damaged": N_("%(file)s is damaged (SQLite's check failed) and cannot be used."),
    "backup_tool_missing": N_("%(program)s is not installed: install the PostgreSQL client "
                              "programs of the server's version."),
    "backup_tool_failed": N_("%(program)s failed: %(error)s"),
    # The demo (flask demo load)
    "demo_foreign_campaigns": N_("This database holds campaigns that flask demo load did not "
                                 "make (%(names)s). The demo loads only into an empty database "
                                 "or one it made itself: its accounts have a public password."),
    # Campaigns (services.campaigns)
    "campaign_name_missing": N_("Give the campaign a name (at most 120 characters)."),
    "campaign_year_invalid": N_("The year must lie between %(first)s and %(last)s."),
    "campaign_name_taken": N_("%(province)s already has a campaign named %(name)s. Choose "
                              "another name."),
    "campaign_year_unknown": N_("The campaign %(name)s has no year, so its dates cannot be "
                                "moved to another year. Create the new campaign and add its "
                                "forms instead."),
    "no_campaign_to_copy": N_("%(province)s has no campaign before %(year)s to copy."),
    "campaign_form_exists": N_("%(form)s is already part of this campaign: change its dates "
                               "instead."),
    "campaign_form_has_answers": N_("%(form)s cannot be removed: %(count)s responses were "
                                    "collected for it in this campaign, and they would belong "
                                    "to nothing. Close it instead."),
    "window_backwards": N_("The closing day must not come before the opening day."),
    "window_strands_answers": N_("These dates would leave answers outside the window: %(form)s "
                                 "received answers from %(first)s to %(last)s. Keep those days "
                                 "inside the window."),
    "window_overlaps": N_("%(form)s is already open on some of these days in the campaign "
                          "%(campaign)s of the same province. A citizen's link must lead to "
                          "one campaign: choose days that do not overlap."),
    "target_invalid": N_("The sample target must be a whole number from 1 to %(max)s."),
    "form_already_open": N_("%(form)s is already open today."),
    "form_window_over": N_("%(form)s closed on %(closes)s. To run it again, change its dates."),
    "form_not_open": N_("%(form)s is not open today: there is nothing to close."),
    "reason_missing": N_("Give a reason: it is kept and shown on the campaign's page."),
    "reason_too_long": N_("The reason may have at most %(max)s characters."),
    "campaign_without_forms": N_("The campaign has no form yet: add its forms first, then make "
                                 "the collection points."),
    "counter_unknown_commune": N_("%(code)s is not the code of a commune of this province."),
    "counter_count_invalid": N_("The number of counters of %(code)s must be a whole number "
                                "from 1 to %(max)s."),
    "counter_line_invalid": N_("Line %(line)s of the counters is not a commune code followed "
                               "by a number, e.g. \"25112, 2\"."),
    # Row-level downloads for a commune (services.results.privacy)
    "export_staff_form": N_("The answers to %(form)s come from the commune's own staff: they "
                            "are not downloaded row by row for the commune. The dashboard "
                            "shows its figures."),
    "export_too_few": N_("%(form)s has fewer than %(min)s responses here, and single rows could "
                         "point at the people who gave them: they are downloaded once %(min)s "
                         "people have answered."),
    # Call-backs of field interviews (services.field_quality)
    "back_check_missing": N_("This call-back is not on a list you may see."),
    "back_check_result": N_("Choose what the call-back found."),
    "back_check_note": N_("Keep the note to at most %(max)s characters."),
    # The audit trail's chain (services.audit.trail)
    "audit_chain_holds": N_("The audit trail holds: %(count)s rows, last hash %(hash)s."),
    "audit_broken_missing": N_("The audit trail breaks at row %(seq)s: that row is missing "
                               "(the %(count)s rows before it hold)."),
    "audit_broken_previous_hash": N_("The audit trail breaks at row %(seq)s: it does not "
                                     "follow the row before it (the %(count)s rows before it "
                                     "hold)."),
    "audit_broken_entry_hash": N_("The audit trail breaks at row %(seq)s: the row was changed "
                                  "after it was written (the %(count)s rows before it hold)."),
    # Recognition (services.recognition, analytics.recognition)
    "rec_not_allowed": N_("You may not do this for this commune or campaign."),
    "rec_unknown_commune": N_("A commune chosen is not in this campaign's province."),
    "rec_withdraw_started": N_("%(commune)s has started its dossier: its registration stays."),
    "rec_not_editable": N_("The dossier is with the reviewers: it cannot be changed now."),
    "rec_unknown_item": N_("%(code)s is not a criterion or sub-item scored by the commune."),
    "rec_note_long": N_("A note or reason may have at most %(max)s characters."),
    "rec_points_invalid": N_("%(code)s: enter points as a number with at most two decimals."),
    "rec_points_above": N_("%(code)s: at most %(max)s points."),
    "rec_blank": N_("Score every item before submitting. Still blank: %(codes)s."),
    "rec_reason_needed": N_("Give the reason: the commune and the record will show it."),
    "rec_wrong_step": N_("This step does not apply to the dossier in its current state."),
    "rec_does_not_pass": N_("The dossier does not pass the rule: it can be rejected or "
                            "returned, not approved."),
    "rec_decision_exists": N_("The decision for this campaign is already recorded."),
    "rec_nothing_approved": N_("No dossier is approved yet: there is nothing to decide."),
    "rec_file_empty": N_("The file is empty."),
    "rec_file_large": N_("The file is larger than %(max_mb)s MB. Scan it at a lower "
                         "resolution or split it."),
    "rec_file_kind": N_("%(name)s: attach a PDF, PNG or JPEG file."),
    "rec_file_mismatch": N_("%(name)s: the content is not what the file's name says. Attach "
                            "the document itself as PDF, PNG or JPEG."),
    "rec_file_count": N_("At most %(max)s files per item."),
    "rec_deadline_invalid": N_("Choose the kind of report, a title (at most %(max)s "
                               "characters) and a date."),
    "rec_deadline_unknown": N_("Choose one of this campaign's reports."),
    "rec_report_filed": N_("This report is already recorded as sent."),
    # A criteria file (analytics.recognition, services.recognition.criteria)
    "rec_not_object": N_("must be a section of named entries"),
    "rec_choice": N_("must be one of: %(allowed)s"),
    "rec_survey_criterion": N_("no criterion has the code %(code)s"),
    "rec_survey_items": N_("%(code)s is computed from the surveys and cannot have sub-items"),
    "rec_form_code": N_("must be a form code such as PKS07"),
    "rec_total_above_max": N_("the pass mark %(total)s is above the %(max)s points there are"),
    "rec_points": N_("must be a number of points, with at most two decimals"),
    "rec_points_positive": N_("must be more than 0"),
    "rec_percent": N_("must be a percentage from 0 to 100"),
    "rec_code": N_("a code of letters, digits and dots is needed (at most 16)"),
    "rec_title": N_("a title is needed (at most 200 characters)"),
    "rec_criteria_list": N_("must list from 1 to 20 criteria"),
    "rec_items_list": N_("must list at most 30 sub-items"),
    "rec_duplicate": N_("the code %(code)s is used twice"),
    "rec_items_sum": N_("the sub-items add up to %(sum)s, not to the criterion's %(max)s"),
    "rec_file_large_yaml": N_("the file is larger than %(max_kb)s kB"),
    "rec_yaml_encoding": N_("the file must be UTF-8 text"),
    "rec_yaml_syntax": N_("not valid YAML near line %(line)s"),
    # Background jobs (survey_app/job_queue.py)
    "job_failed": N_("The work stopped because of an error on the server; nothing of it was "
                     "kept. Press \"Run again\"; if it fails again, tell the administrator."),
    "job_interrupted": N_("The work was interrupted (the server doing it stopped); nothing of "
                          "it was kept. Press \"Run again\"."),
    "job_busy": N_("The database was too busy to finish the work; nothing of it was kept. "
                   "Press \"Run again\" in a moment."),
    "job_queue_down": N_("The work could not be handed to the background worker; nothing was "
                         "done. Press \"Run again\"; if it fails again, tell the "
                         "administrator."),
    "job_kind_unknown": N_("This kind of work is no longer offered here."),
    "no_live_points": N_("There is no live collection point to print here."),
    # Decisions on flagged responses (services.results.integrity)
    "integrity.reason_required": N_("Say why: a decision on flagged responses needs a reason."),
    "integrity.reason_too_long": N_("The reason may be at most 500 characters."),
    "integrity.keys_forgotten": N_("This campaign's device and network keys were dropped "
                                   "after it closed: its flags are final and cannot be "
                                   "recomputed."),
    "integrity.campaign_open": N_("The campaign still takes answers: its keys are kept until "
                                  "every form has closed."),
    # Corrections (services/corrections)
    "correction_reason_missing": N_("Say why the sheet is voided or corrected."),
    "correction_reason_too_long": N_("The reason may be at most %(max)s characters, without "
                                     "control characters."),
    "correction_not_yours": N_("This sheet is not one you may correct: a surveyor corrects "
                               "the sheets they entered, a coordinator those of their "
                               "organisation."),
    "correction_qr": N_("A citizen's QR response cannot be voided or corrected here; only the "
                        "steering committee's review can set it aside."),
    "correction_already": N_("This sheet has already been voided or replaced."),
    "correction_window_closed": N_("The time to correct this sheet ended on %(closed)s (%(days)s "
                                   "days after it was received). Ask the steering committee "
                                   "to review it."),
    "correction_unchanged": N_("The corrected sheet has the same answers as the original: "
                               "nothing to replace."),
}

#: What an audit row's target is (``AuditEntry.target_type``).
TARGET_TEXTS = {
    "user": _l("account"),
    "collection_point": _l("collection point"),
    "campaign": _l("campaign"),
    "form_version": _l("form version"),
    "import_batch": _l("import"),
    "rulebook_version": _l("rulebook version"),
    "back_check": _l("call-back"),
    "dossier": _l("recognition dossier"),
    "form": _l("form"),
    "response": _l("sheet"),
}

#: The words for each action of the audit trail (services.audit.actions).
ACTION_TEXTS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "sign_out": _l("Signed out"),
    "account_created": _l("Account created"),
    "account_changed": _l("Account changed"),
    "account_enabled": _l("Account enabled"),
    "account_disabled": _l("Account disabled"),
    "password_set": _l("Password set by an administrator"),
    "own_password_changed": _l("Own password changed"),
    "two_factor_on": _l("Two-step sign-in turned on"),
    "two_factor_off": _l("Two-step sign-in turned off"),
    "rulebook_saved": _l("Rulebook version saved"),
    "point_created": _l("Collection point created"),
    "token_rotated": _l("QR link replaced"),
    "point_retired": _l("Collection point retired"),
    "points_created": _l("Collection points created in bulk"),
    "organisation_assigned": _l("Organisation assigned to a form"),
    "organisations_reset": _l("Organisations reset to the forms' defaults"),
    "surveyor_assigned": _l("Surveyor's communes changed"),
    "form_published": _l("Form version published"),
    "import_stored": _l("Import stored"),
    "import_discarded": _l("Import discarded"),
    "export_downloaded": _l("Results downloaded"),
    "back_check_recorded": _l("Call-back recorded"),
    "dossier_step": _l("Recognition dossier step"),
    "campaign_created": _l("Campaign created"),
    "campaign_forms_added": _l("Forms added to a campaign"),
    "campaign_form_changed": _l("A campaign form's dates or target changed"),
    "campaign_form_removed": _l("Form removed from a campaign"),
    "campaign_form_opened": _l("Form opened early"),
    "campaign_form_closed": _l("Form closed early"),
    "campaign_targets_set": _l("Sample targets set"),
    "form_retired": _l("Form retired"),
    "form_restored": _l("Form back in use"),
    "flags_reviewed": _l("Flagged responses decided"),
    "flags_recomputed": _l("Flags recomputed for a campaign"),
    "trust_keys_dropped": _l("A campaign's device and network keys dropped"),
    "response_voided": _l("Sheet voided"),
    "response_replaced": _l("Sheet replaced by a corrected one"),
}

#: The words for a scope field, in "This role needs %(unit)s."
UNIT_LABELS = {
    "province_id": _l("a province"),
    "grouping_id": _l("a district or cluster"),
    "commune_id": _l("a commune"),
    "organisation_id": _l("an organisation"),
}


def describe(error: DomainError | AnswerError) -> str:
    """The user's words for ``error``, in the current language."""
    code, params = error.code, dict(error.params)
    if isinstance(error, AnswerError):
        code = answer_code(code, params)
    if code == "scope_missing":
        params["unit"] = str(UNIT_LABELS.get(str(params.get("field")), ""))
    params = {name: format_date(value, "dd/MM/yyyy") if isinstance(value, date) else value
              for name, value in params.items()}
    return text(code, params)


def text(code: str, params: Mapping[str, Any] | None = None) -> str:
    template = TEXTS.get(code)
    if template is None:
        return gettext("This is not possible.")
    return gettext(template, **(params or {}))


def answer_code(code: str, params: Mapping[str, Any]) -> str:
    """An answer error's text depends on its parameters, not only on its code."""
    if code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return "out_of_range_between"
        return "out_of_range_min" if low is not None else "out_of_range_max"
    if code == "not_a_number":
        return "not_integer" if params.get("integer") else "not_number"
    return code


#: The places of a definition file that name a thing (``forms.loader.place``); any other
#: place is a key or path of the file, shown as the file spells it.
PLACE_TEXTS = {
    "file": N_("file"),
    "question": N_("question '%(question)s'"),
    "option": N_("question '%(question)s', '%(option)s'"),
    "unnamed_question": N_("%(section)s: question %(id)s"),
}


def describe_problem(problem: Problem) -> str:
    """One problem of a form definition file, as the loader reports it: file, where, why."""
    kind, parts = place(problem.where)
    where = gettext(PLACE_TEXTS[kind], **parts) if kind in PLACE_TEXTS else problem.where
    return f"{problem.source}: {where}: {text(problem.code, problem.params)}"


def describe_import_problem(problem: ImportProblem) -> str:
    """What is wrong in one cell, row or file of an import, in the current language."""
    params = {name: format_date(value, "dd/MM/yyyy") if isinstance(value, date) else value
              for name, value in problem.params.items()}
    return text(answer_code(problem.code, params), params)


def describe_recognition_problem(problem) -> str:
    """One problem of a criteria file (``analytics.recognition.Problem``): where, why."""
    return f"{problem.where}: {text(problem.code, problem.params)}"
#: The integrity rules' reason codes (analytics/integrity.py), for the committee's pages.
FLAG_REASONS = {
    "burst_device": _l("Burst from one device"),
    "burst_network": _l("Burst from one network"),
    "commune_rate": _l("Far above the commune's usual rate"),
    "repeat_device": _l("Same device again"),
    "speeder": _l("Answered too fast"),
    "straight_line": _l("Same answer to every rating"),
    "all_top": _l("Best answer to every rating"),
    "near_identical": _l("Near-identical to another response"),
    "outside_hours": _l("Outside opening hours"),
    "staff_session": _l("Staff signed in on the same browser"),
    "honeypot": _l("Hidden field filled (robot)"),
    "fabrication": _l("Surveyor's interview found fabricated at a call-back"),
}
