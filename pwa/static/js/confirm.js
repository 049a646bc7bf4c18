// Organiser pages: a form (or its submit button) with data-confirm="question" asks before it
// is sent, e.g. before deleting an event. Without script the form is sent as it always was.

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = event.submitter?.dataset.confirm || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
