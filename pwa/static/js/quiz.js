// Quizzes scored on the phone, offline: one answer per question, the explanation after
// checking. Answers in progress survive a reload (for example "new content: reload").
// Dispatches "loa:quiz-scored" with the answers, for screens that record them.

import { format } from './strings.js';

// One key for every language: quizzes keep their question and option ids in every language, so
// a reader who switches language halfway keeps the answers chosen so far.
function storageKey(form) {
  return `loa.quiz.${form.dataset.quiz}`;
}

function answers(form) {
  const chosen = {};
  for (const input of form.querySelectorAll('input[type=radio]:checked')) chosen[input.name] = input.value;
  return chosen;
}

// Options in a new random order for each respondent (the server scores by option id), the same
// order while one person answers, also across a reload.
function orderKey(form) {
  return `loa.quiz.order.${form.dataset.quiz}`;
}

function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function shuffleOptions(form, fresh = false) {
  const saved = fresh ? {} : JSON.parse(sessionStorage.getItem(orderKey(form)) || '{}');
  const order = {};
  for (const fieldset of form.querySelectorAll('fieldset.question')) {
    const labels = [...fieldset.querySelectorAll('label.option')];
    const byId = new Map(labels.map((label) => [label.querySelector('input').value, label]));
    const wanted = saved[fieldset.dataset.question];
    const ids = wanted && wanted.length === byId.size && wanted.every((id) => byId.has(id))
      ? wanted : shuffled([...byId.keys()]);
    const explain = fieldset.querySelector('.explain');
    for (const id of ids) fieldset.insertBefore(byId.get(id), explain);
    order[fieldset.dataset.question] = ids;
  }
  sessionStorage.setItem(orderKey(form), JSON.stringify(order));
  form.dataset.shuffled = 'true';
}

function restore(form) {
  const saved = JSON.parse(sessionStorage.getItem(storageKey(form)) || '{}');
  for (const [question, option] of Object.entries(saved)) {
    const input = form.querySelector(`input[name="${CSS.escape(question)}"][value="${CSS.escape(option)}"]`);
    if (input) input.checked = true;
  }
}

function save(form) {
  sessionStorage.setItem(storageKey(form), JSON.stringify(answers(form)));
}

function optionText(fieldset, optionId) {
  const input = fieldset.querySelector(`input[value="${CSS.escape(optionId)}"]`);
  return input ? input.closest('label').textContent.trim() : optionId;
}

export function resetQuiz(form) {
  form.reset();
  sessionStorage.removeItem(storageKey(form));
  shuffleOptions(form, true);
  for (const fieldset of form.querySelectorAll('fieldset.question')) {
    fieldset.querySelector('.explain').hidden = true;
    fieldset.querySelectorAll('label').forEach((l) => l.classList.remove('right', 'wrong'));
  }
  form.querySelector('.quiz-score').textContent = '';
  form.dataset.scored = '';
}

function check(form, strings) {
  const chosen = answers(form);
  const fieldsets = [...form.querySelectorAll('fieldset.question')];
  const missing = fieldsets.filter((f) => !chosen[f.dataset.question]);
  const scoreLine = form.querySelector('.quiz-score');
  if (missing.length) {
    scoreLine.textContent = format(strings.quiz_unanswered, { count: missing.length });
    missing[0].querySelector('input').focus();
    return;
  }
  let correct = 0;
  for (const fieldset of fieldsets) {
    const right = fieldset.dataset.answer;
    const mine = chosen[fieldset.dataset.question];
    if (mine === right) correct += 1;
    fieldset.querySelectorAll('label').forEach((label) => {
      const value = label.querySelector('input').value;
      label.classList.toggle('right', value === right);
      label.classList.toggle('wrong', value === mine && mine !== right);
    });
    fieldset.querySelector('.verdict').textContent = mine === right
      ? strings.quiz_correct
      : format(strings.quiz_wrong, { answer: optionText(fieldset, right) });
    fieldset.querySelector('.explain').hidden = false;
  }
  scoreLine.textContent = format(strings.quiz_score, { correct, total: fieldsets.length });
  form.dataset.scored = `${correct}/${fieldsets.length}`;
  scoreLine.scrollIntoView({ block: 'center' });
  form.dispatchEvent(new CustomEvent('loa:quiz-scored', {
    bubbles: true,
    detail: { quiz: form.dataset.quiz, lang: form.dataset.quizLang, answers: chosen, correct, total: fieldsets.length },
  }));
}

export function enhanceQuiz(form, strings) {
  if (!form.closest('[data-result]') && !form.querySelector('label.right')) shuffleOptions(form);
  restore(form);
  form.addEventListener('change', () => save(form));
  window.addEventListener('loa:before-reload', () => save(form));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    check(form, strings);
  });
}
