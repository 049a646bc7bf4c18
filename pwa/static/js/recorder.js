// Recording in the browser (the studio's recordings page): MediaRecorder captures the
// microphone, and the recording is put into the form's file field, so uploading it is the same
// as uploading a file (the server makes Opus and MP3 of it). Without MediaRecorder, or without a
// microphone, the file field is all there is.

function recorderFor(form) {
  const box = form.querySelector('[data-recorder]');
  const input = form.querySelector('input[type=file]');
  if (!box || !window.MediaRecorder || !navigator.mediaDevices) return;
  const button = box.querySelector('button');
  const status = box.querySelector('[role=status]');
  let recorder = null;
  box.hidden = false;
  button.addEventListener('click', async () => {
    if (recorder && recorder.state === 'recording') {
      recorder.stop();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      status.textContent = box.dataset.denied;
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
    recorder.addEventListener('stop', () => {
      stream.getTracks().forEach((track) => track.stop());
      const type = recorder.mimeType || 'audio/webm';
      const ext = type.includes('mp4') ? 'm4a' : type.includes('ogg') ? 'ogg' : 'webm';
      const files = new DataTransfer();
      files.items.add(new File(chunks, `recording.${ext}`, { type }));
      input.files = files.files;
      button.textContent = box.dataset.start;
      status.textContent = box.dataset.ready;
    });
    recorder.start();
    button.textContent = box.dataset.stop;
    status.textContent = box.dataset.recording;
  });
}

for (const form of document.querySelectorAll('form.audio-upload')) recorderFor(form);
