"""Staff help with the complainant's private link: clear a secret word, check a withdrawal.

Both are for after a member of staff has spoken to the complainant, and both are audited.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from portal.services import complaints, status_links
from portal.text import plain_text
from portal.types import StaffRole
from staff import auth
from staff.views import _case_context, _case_or_404, bp

LINK_HELPERS = (StaffRole.OFFICER, StaffRole.MANAGER)
HOW_CHECKED_MAX = 500


@bp.post("/cases/<reference>/secret-word/clear")
@auth.requires(*LINK_HELPERS)
def clear_secret_word(reference: str):
    """Clear the complainant's secret word, saying how their identity was checked."""
    complaint = _case_or_404(reference)
    how_checked = plain_text(request.form.get("how_checked", ""))
    error = None
    if not how_checked:
        error = "Write how you checked who you were speaking to."
    elif len(how_checked) > HOW_CHECKED_MAX:
        error = f"Keep it under {HOW_CHECKED_MAX} characters."
    if error:
        context = _case_context(complaint, clear_word_error=error)
        return render_template("staff/case.html", **context), 400
    if complaint.secret_word_hash:
        status_links.clear_word(complaint, auth.current_staff().email, how_checked)
    return redirect(url_for(".case", reference=complaint.reference), 303)


@bp.post("/cases/<reference>/withdrawal-checked")
@auth.requires(*LINK_HELPERS)
def withdrawal_checked(reference: str):
    """Record that staff checked a withdrawal made from the private link."""
    complaint = _case_or_404(reference)
    complaints.withdrawal_checked(complaint, auth.current_staff().email)
    return redirect(url_for(".case", reference=complaint.reference), 303)
