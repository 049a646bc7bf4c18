"""Interface strings used by JavaScript, translated from the same Babel catalogues as the
pages and sent to the phone as JSON for its language (precached with the language)."""

from __future__ import annotations

from flask_babel import gettext as _

from .activities import kind_names


def password_problems() -> dict[str, str]:
    """Why a password is refused, by the codes of accounts.PasswordRejected and the API."""
    return {
        "password_too_short": _("The password needs at least %(min)s characters."),
        "password_has_username": _("The password must not contain the username."),
        "password_common": _("This password is too common or too easy to guess. Choose another."),
        "password_mismatch": _("The two new passwords are not the same."),
        "wrong_current_password": _("The current password is wrong."),
    }


def js_strings() -> dict[str, str]:
    # Placeholders use the catalogues' %(name)s form; strings.js fills them in.
    return {
        "offline_ready": _("Ready to work offline. These pages now open without a network."),
        "offline_available": _("Saved on this phone for offline use"),
        "offline_saving": _("Saving pages for offline use: %(done)s of %(total)s"),
        "offline_failed": _(
            "Could not save the pages for offline use. Loa will try again when there is a network."
        ),
        "update_ready": _("New content is available."),
        "update_reload": _("Reload"),
        "storage_persistent": _("Storage: kept by the browser"),
        "storage_not_persistent": _("Storage: the browser may clear it when space runs low"),
        "storage_unknown": _("Storage: unknown"),
        "you_are_offline": _("You are offline."),
        "complaint_sent_resident": _(
            "Thank you. Your phone sends this to the province's consumer protection officers as soon as it has a network."
        ),
        "complaint_saved": _(
            "Complaint saved on this phone. It is sent with the other records, then its photos."
        ),
        "complaint_line": _("%(when)s · %(commune)s · %(goods)s"),
        "complaint_needed": _("Write the goods or service and what happened."),
        "complaint_amount": _("The amount: a whole number of dong, or leave it empty."),
        "complaint_consent": _(
            "Keep a name or phone only if the consumer agrees: tick the box, or leave them empty."
        ),
        "complaint_photos": _("At most %(max)s photos."),
        "complaint_not_photo": _("One of the files is not a photo this phone can read."),
        "record_complaint": _("Complaint"),
        "record_complaint_step": _("Complaint step"),
        "activity_saved": _("Activity saved on this phone. It is sent with the other records."),
        "activity_line": _("%(when)s · %(commune)s · %(kind)s: %(count)s"),
        "activity_count": _("The number: a whole number from 1 to %(high)s."),
        "activity_link": _("The link must be a web address starting with http:// or https://."),
        **{f"activity_{kind}": name for kind, (name, _counted) in kind_names().items()},
        "broadcast_saved": _("Broadcast saved on this phone. It is sent with the other records."),
        "broadcast_line": _("%(when)s · %(commune)s · %(minutes)s min × %(repeats)s"),
        "broadcast_minutes": _("Minutes: a whole number from 1 to 240."),
        "broadcast_repeats": _("Times aired: a whole number from 1 to 50."),
        "oral_progress": _("Question %(n)s of %(total)s"),
        "oral_people": _("%(people)s people at the session"),
        "oral_whole_numbers": _("Hands: whole numbers, 0 or more."),
        "oral_too_many": _("%(hands)s hands, but only %(people)s people at the session: count again."),
        "oral_saved": _("Question %(n)s saved."),
        "oral_counted": _("Show of hands: %(n)s questions counted."),
        "audio_saving": _("Saving audio for offline use: %(done)s of %(total)s"),
        "audio_saved": _("Audio saved on this phone: you can listen without a network."),
        "audio_failed": _("Could not download the audio. Try again when there is a network."),
        "quiz_correct": _("Correct."),
        "quiz_wrong": _("Not quite. The right answer: %(answer)s"),
        "quiz_score": _("You answered %(correct)s of %(total)s questions correctly."),
        "quiz_unanswered": _("Please answer every question first: %(count)s left."),
        "quiz_again": _("Try again"),
        "lang_not_cached": _(
            "%(language)s is not saved on this phone yet. Connect to the internet to download it."
        ),
        "lang_download": _("Download when online"),
        "lang_download_pending": _("%(language)s will be downloaded as soon as there is a network."),
        "install": _("Install Loa on this phone"),
        "lang_ready": _("%(language)s is now saved on this phone."),
        # quizzes recorded as survey answers
        "quiz_saved": _("Saved on this phone."),
        "quiz_saved_anonymous": _("Your answers are counted anonymously for the campaign's survey."),
        "quiz_thanks": _("Thank you! Your answers are saved and will be sent when there is a network."),
        "quiz_next_person": _("Next person"),
        "quiz_session_banner": _("Session in %(place)s, %(phase)s: %(count)s answers so far."),
        "phase_pre": _("before the talk"),
        "phase_post": _("after the talk"),
        "back_to_session": _("Back to the session"),
        # staff screens and the outbox
        "never": _("never"),
        "saved": _("Saved on this phone."),
        "sending": _("Sending…"),
        # what the last send came to, from the server's answers only
        "send_sent": _("Sent %(sent)s."),
        "send_all_sent": _("All sent."),
        "send_waiting": _("%(waiting)s waiting; next try at %(time)s."),
        "send_waiting_now": _("%(waiting)s waiting."),
        "send_no_answer": _("No answer: no network, or the server did not answer."),
        "send_server": _("The server could not take the records now."),
        "send_attention": _("%(count)s need attention."),
        "exported": _("%(count)s unsent records exported to a file."),
        "needs_login": _(
            "%(name)s must log in again (with a network) before these records can be sent. They stay on this phone."
        ),
        "login_needs_network": _("Logging in needs a network. Try again where there is signal."),
        "login_wrong": _("Wrong username or password."),
        "login_throttled": _("Too many attempts. Try again in %(seconds)s seconds."),
        "login_new_password": _("Your password was reset. Choose a new password, then log in."),
        "password_changed": _("Your password is changed. Other phones of your account must log in again."),
        "password_needs_network": _(
            "Changing the password needs a network. Try again where there is signal."
        ),
        **password_problems(),
        "session_counts": _("%(count)s people, %(answers)s quiz answers"),
        "line_text": _("%(count)s people (%(women)s women, %(minority)s ethnic minority)"),
        "line_undone": _("Undone: %(count)s people taken out of the count."),
        "line_fixed": _("Corrected. The new figures will be sent."),
        "undo": _("Undo"),
        "fix": _("Fix"),
        "save_fix": _("Save the correction"),
        "people": _("People"),
        "of_whom_women": _("Of whom women"),
        "of_whom_minority": _("Of whom ethnic minority"),
        "of_whom_elderly": _("Of whom elderly (60 or over)"),
        "of_whom_disabled": _("Of whom people with disabilities"),
        "line_more": _("%(elderly)s elderly, %(disabled)s with disabilities"),
        "void_reason_needed": _("Say why this session is void."),
        "session_voided": _("This session is void: it no longer counts in the figures."),
        "receipt": _("The server has records 1 to %(n)s from this phone."),
        "receipt_gaps": _("Not received yet: %(ranges)s."),
        "problem_commune_not_yours": _(
            "This session is in a commune that is not one of yours, so these people are not counted. "
            "Ask an organiser to add the commune to your account."
        ),
        "problem_amendment_refused": _(
            "This correction or removal could not be applied (the record is someone else's, or the numbers "
            "do not add up). Ask an organiser."
        ),
        "problem_time_in_future": _(
            "The phone's date is wrong (this record is dated in the future). Check the date and time."
        ),
        "problem_time_too_old": _("This record is older than %(days)s days and was not accepted."),
        "problem_not_your_record": _(
            "Someone else made this record, so only they or an organiser can change it."
        ),
        "problem_more_than_count": _(
            "With this correction there would be %(value)s women or ethnic minority among %(count)s people. "
            "Check the numbers."
        ),
        "problem_before_session": _(
            "This is dated before its session was recorded. Check the phone's date and time."
        ),
        "problem_conflict": _(
            "The server already has a different record with the same number. Export the unsent records "
            "and give the file to an organiser."
        ),
        "problem_text_too_long": _(
            "A text is %(length)s characters long; at most %(limit)s fit. Shorten it."
        ),
        "problem_out_of_range": _("A number is %(value)s; it must be from %(low)s to %(high)s. Check it."),
        "problem_unknown_commune": _(
            "The commune is not on the official list. Choose it again from the list."
        ),
        "problem_unknown_topic": _(
            "A topic of this session is no longer in the campaign. Choose the topics again."
        ),
        "problem_tally_over_attendance": _(
            "%(hands)s hands were counted, but the session counted %(attendance)s people. "
            "Add the missing people to the session, or count the hands again."
        ),
        # a quiz changed between the phone saving its page and the show of hands arriving
        **dict.fromkeys(
            ("problem_unknown_quiz", "problem_unknown_question", "problem_unknown_option"),
            _("This quiz changed after the phone saved it. Open the quiz again and count the hands again."),
        ),
        "problem_other": _(
            "The server did not accept this record. Export the unsent records and give the file to an organiser."
        ),
        # what a record in "needs attention" was
        "record_session": _("Session"),
        "record_attendance": _("People counted"),
        "record_quiz_response": _("Quiz answers"),
        "record_leaflet_scan": _("Leaflet scan"),
        "record_correction": _("Correction"),
        "record_void": _("Undo or void"),
        "record_broadcast": _("Loudspeaker broadcast"),
        "record_quiz_tally": _("Quiz by show of hands"),
        "record_activity": _("Campaign activity"),
        "session_void_mark": _("voided"),
        "qr_caption": _("This code opens the quiz “%(quiz)s”, %(phase)s."),
        "choose_commune": _("Choose the commune."),
        "choose_topic": _("Choose at least one topic."),
        "choose_time": _("Enter the date and time."),
        "choose_day": _("Enter the day."),
        "attendance_saved": _("%(count)s added and saved on this phone."),
        "tally_count": _("People must be a number from 1 to 1000."),
        "tally_part": _(
            "Women, ethnic minority, elderly and people with disabilities must each be from 0 to %(count)s."
        ),
        "qr_alt": _("QR code that opens this quiz for this session"),
        "records_waiting": _("%(count)s records waiting to be sent"),
    }
