// Every page's script. Pages are readable without it; it adds offline use and quiz scoring.

import { startPWA } from './pwa.js';
import { loadStrings } from './strings.js';

const lang = document.body.dataset.lang;

startPWA(lang).catch((err) => console.warn('Loa offline support unavailable:', err));

const quizForm = document.querySelector('form.quiz');
if (quizForm) {
  Promise.all([import('./quiz.js'), loadStrings(lang)]).then(([quiz, strings]) => quiz.enhanceQuiz(quizForm, strings));
}
