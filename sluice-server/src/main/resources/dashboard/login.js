// The login form: sends the token as JSON; the server answers with the session cookie.

const form = document.getElementById('login');
const error = document.getElementById('login-error');

function next() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  // Only a path on this site: never another site's address.
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.hidden = true;
  const token = document.getElementById('token').value.trim();
  if (!token) {
    error.textContent = 'Paste an API token.';
    error.hidden = false;
    return;
  }
  const button = document.getElementById('login-submit');
  button.disabled = true;
  try {
    const res = await fetch('/ui/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (res.ok) {
      location.href = next();
      return;
    }
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).error || message;
    } catch (ignored) {
      // keep the status line
    }
    error.textContent = message;
    error.hidden = false;
  } catch (err) {
    error.textContent = 'The daemon cannot be reached: ' + err.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
