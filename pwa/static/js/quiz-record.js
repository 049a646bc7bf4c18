// Saving quiz answers as `quiz_response` records.
//
// /<lang>/quiz/<id>?session=<uuid>&phase=pre      staff phone passed around: one resident
//                                                  after another, a clean screen for each
// ...&mode=resident                               a resident's own phone (from the session QR)
// no session                                      anyone reading: counted anonymously

import { RESIDENT, queue } from './outbox.js';
import { resetQuiz } from './quiz.js';
import { addToSession, getSession } from './session-log.js';
import { settings } from './store.js';
import { format } from './strings.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readParams() {
  const params = new URLSearchParams(location.search);
  const session = UUID.test(params.get('session') || '') ? params.get('session').toLowerCase() : null;
  const phase = ['pre', 'post'].includes(params.get('phase')) ? params.get('phase') : null;
  const key = /^[A-Za-z0-9_-]{22,64}$/.test(params.get('key') || '') ? params.get('key') : null;
  return { session, phase: session ? phase : null, resident: params.get('mode') === 'resident', key };
}

function banner(form, text, linkHref, linkText) {
  let box = document.querySelector('.session-banner');
  if (!box) {
    box = document.createElement('p');
    box.className = 'session-banner notice';
    form.before(box);
  }
  box.replaceChildren(document.createTextNode(`${text} `));
  if (linkHref) {
    const link = document.createElement('a');
    link.href = linkHref;
    link.textContent = linkText;
    box.append(link);
  }
}

function nextPersonButton(form, strings, onNext) {
  const line = form.querySelector('.quiz-score');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button next-person';
  button.textContent = strings.quiz_next_person;
  button.addEventListener('click', () => {
    button.remove();
    resetQuiz(form);
    onNext();
    window.scrollTo(0, 0);
    form.querySelector('input')?.focus();
  });
  line.after(button);
}

export async function enableRecording(form, strings) {
  const { session, phase, resident, key } = readParams();
  const lang = document.body.dataset.lang;
  const staffUser = session && !resident ? await settings.get('current_user') : null;
  const owner = staffUser || RESIDENT;
  let local = staffUser ? await getSession(session) : null;
  let recorded = false;

  const showBanner = () => {
    if (!local) return;
    const phaseText = phase === 'post' ? strings.phase_post : strings.phase_pre;
    banner(form, format(strings.quiz_session_banner, {
      place: local.commune_name, phase: phaseText, count: local.quiz[phase || 'pre'],
    }), `/${lang}/staff/#session/${session}`, strings.back_to_session);
  };
  showBanner();

  form.addEventListener('loa:quiz-scored', async (event) => {
    if (recorded) return;
    recorded = true;
    const { quiz, answers } = event.detail;
    const data = { quiz_id: quiz, lang: form.dataset.quizLang, answers, session_id: session, phase };
    if (key) data.session_key = key;  // from the session QR code: lets a resident's answer join the session
    await queue('quiz_response', data, owner);
    form.dataset.recorded = 'true';
    const line = form.querySelector('.quiz-score');
    if (staffUser) {
      local = await addToSession(session, { quiz: { [phase || 'pre']: 1 } }) || local;
      line.append(` ${strings.quiz_saved}`);
      showBanner();
      nextPersonButton(form, strings, () => { recorded = false; form.dataset.recorded = ''; });
    } else {
      line.append(` ${session ? strings.quiz_thanks : strings.quiz_saved_anonymous}`);
    }
  });
}
