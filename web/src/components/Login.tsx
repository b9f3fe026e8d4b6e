// The login prompt, shown when the daemon answers 401: the token goes to sessionStorage (this tab
// only) and from there into every request.
import { useState, type FormEvent, type ReactNode } from 'react';
import { login } from '../api/session.ts';
import { readToken } from '../api/token.ts';

export function Login(): ReactNode {
  const [token, setToken] = useState('');
  const refused = readToken() !== undefined;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (token.trim() !== '') login(token.trim());
  };
  return (
    <div className="modal-backdrop">
      <form className="modal" onSubmit={submit} aria-labelledby="login-title">
        <h2 id="login-title">Token required</h2>
        <p>
          This daemon requires an API token: the <code>[api] token</code> of its configuration, or <code>HOSTGUARD_TOKEN</code> where it runs.
          {refused ? ' The token entered before was refused.' : ''}
        </p>
        <label>
          API token
          <input type="password" name="token" autoComplete="current-password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <button type="submit" disabled={token.trim() === ''}>
          Sign in
        </button>
      </form>
    </div>
  );
}
