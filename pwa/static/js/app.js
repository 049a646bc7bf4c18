// Every page's script. Pages are readable without it; it adds offline use, quiz scoring,
// and sends whatever waits in the outbox whenever there is a network.

import { startContacts } from './contacts.js';
import { keepAddressInLanguageLinks } from './languages.js';
import { onChange, startSending } from './outbox.js';
import { startPWA } from './pwa.js';
import { loadStrings } from './strings.js';

const lang = document.body.dataset.lang;

keepAddressInLanguageLinks();
startPWA(lang).catch((err) => console.warn('Loa offline support unavailable:', err));
startSending();
// Photos of complaints go up after their cases, whichever page is open when the network is back.
onChange((change) => {
  if (change && change.type === 'attempted') import('./complaint-photos.js').then((photos) => photos.uploadPhotos());
});
startContacts();

const quizForm = document.querySelector('form.quiz');
if (quizForm) {
  Promise.all([import('./quiz.js'), import('./quiz-record.js'), loadStrings(lang)])
    .then(([quiz, recording, strings]) => {
      quiz.enhanceQuiz(quizForm, strings);
      return recording.enableRecording(quizForm, strings);
    });
}
if (document.getElementById('staff')) import('./staff.js');
const complaintForm = document.querySelector('[data-complaint-form]');
if (complaintForm) {
  Promise.all([import('./resident-complaint.js'), loadStrings(lang)])
    .then(([complaint, strings]) => complaint.enableComplaintForm(complaintForm, strings));
}
if (document.querySelector('[data-listen], [data-audio-offline]')) {
  Promise.all([import('./listen.js'), loadStrings(lang)]).then(([listen, strings]) => {
    listen.enhanceListening();
    const offline = document.querySelector('[data-audio-offline]');
    if (offline) return listen.enhanceOfflineAudio(offline, strings);
    return undefined;
  });
}
