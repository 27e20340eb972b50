"""Words for the answer-validation codes that ``forms.validate`` returns."""

from flask_babel import gettext as _

from forms.validate import AnswerError


def describe(error: AnswerError) -> str:
    params = error.params
    if error.code == "required":
        return _("Please answer this question.")
    if error.code == "invalid_option":
        return _("Please choose one of the options shown.")
    if error.code == "too_many":
        return _("Please choose only one option.")
    if error.code == "too_long":
        return _("Please shorten your answer to at most %(max)s characters.", max=params["max"])
    if error.code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return _("Please enter a number from %(min)s to %(max)s.", min=low, max=high)
        if low is not None:
            return _("Please enter a number of at least %(min)s.", min=low)
        return _("Please enter a number of at most %(max)s.", max=high)
    if params.get("integer"):
        return _("Please enter a whole number.")
    return _("Please enter a number.")
