// The studio's topic editor: characters counted as key points are typed, a formatting
// toolbar for the Markdown text, and a live preview at phone width rendered by the server
// (the same renderer residents get). Without script the form works as it is.

const form = document.querySelector('.studio-form');

function countKeyPoints() {
  for (const counter of document.querySelectorAll('[data-count-for]')) {
    const input = document.getElementById(counter.dataset.countFor);
    const limit = Number(input.dataset.limit);
    const update = () => {
      const n = [...input.value].length;
      counter.textContent = `${n}/${limit}`;
      counter.classList.toggle('over', n > limit);
      input.setAttribute('aria-invalid', String(n > limit));
    };
    input.addEventListener('input', update);
    update();
  }
}

const MARKUP = {
  heading: (text) => `\n## ${text || '…'}\n`,
  bold: (text) => `**${text || '…'}**`,
  list: (text) => (text || '…').split('\n').map((line) => `- ${line}`).join('\n'),
  link: (text) => `[${text || '…'}](https://)`,
};

function toolbar(body) {
  const bar = document.querySelector('.toolbar');
  if (!bar) return;
  bar.hidden = false;
  bar.addEventListener('click', (event) => {
    const button = event.target.closest('[data-md]');
    if (!button) return;
    const { selectionStart: start, selectionEnd: end, value } = body;
    const inserted = MARKUP[button.dataset.md](value.slice(start, end));
    body.setRangeText(inserted, start, end, 'end');
    body.focus();
    body.dispatchEvent(new Event('input'));
  });
}

function preview(body) {
  const target = document.getElementById('preview');
  const problems = document.getElementById('preview-problems');
  const token = form.querySelector('input[name=csrf_token]').value;
  let timer;
  let asked = 0;
  body.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const response = await fetch(form.dataset.preview, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
          body: JSON.stringify({ body: body.value }),
        });
        if (!response.ok || mine !== asked) return;
        const answer = await response.json();
        // The server's Markdown renderer has raw HTML off: its output carries no markup of the writer's.
        target.innerHTML = answer.html;
        problems.replaceChildren(...answer.problems.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
      } catch {
        // offline: the preview waits for the next keystroke
      }
    }, 400);
  });
}

if (form) {
  countKeyPoints();
  const body = form.querySelector('textarea[name=body]');
  toolbar(body);
  preview(body);
}
