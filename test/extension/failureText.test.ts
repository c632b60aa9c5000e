import assert from 'node:assert/strict';
import { NotConnectedError, PromptLostError, SessionExpiredError } from '../../src/client/errors';
import { ServerCheckError } from '../../src/client/serverCheck';
import { ConnectError } from '../../src/client/socket';
import { describeFailure, failureText, serverProblemActions, serverProblemText, sessionGone } from '../../src/extension/failureText';
import { ServerUnreachableError } from '../../src/extension/unreachable';
import { ErrorCodes, RpcError } from '../../src/protocol/jsonrpc';
import { ConnectionClosedError, RequestTimeoutError } from '../../src/transport/errors';

const URL = 'ws://127.0.0.1:9/ws';

describe('failure texts (chosen by error class and code)', () => {
  it('names no method or request id, whatever the error says', () => {
    const errors: Error[] = [
      new RequestTimeoutError('session/prompt', 'req-17', 120_000, 'inactivity'),
      new ConnectionClosedError('session/new', 4, 'closed with 1006'),
      new NotConnectedError('session/new', 'the client was closed'),
      new PromptLostError('session/prompt', 'req-9', 's-1'),
      new RpcError(ErrorCodes.InternalError, 'session/prompt (request id 3) failed: boom'),
    ];
    for (const err of errors) {
      const text = failureText(err);
      assert.doesNotMatch(text, /session\/|request id|req-\d/, text);
    }
  });

  it('tells a gone session by class or by the not-found code with a session id, not by wording', () => {
    assert.equal(sessionGone(new SessionExpiredError('s', 'expired')), true);
    assert.equal(sessionGone(new PromptLostError('session/prompt', 1, 's')), true);
    assert.equal(sessionGone(new RpcError(ErrorCodes.ResourceNotFound, 'whatever', { sessionId: 's' })), true);
    assert.equal(sessionGone(new RpcError(ErrorCodes.ResourceNotFound, 'cannot read /a: unknown session file')), false, 'a not-found without a session');
    assert.equal(sessionGone(new Error('Session s expired (unknown session)')), false, 'a plain message is not matched');
    assert.match(failureText(new SessionExpiredError('s', 'gone')), /next question starts a new one/);
  });

  it('says what to do for each connection failure', () => {
    assert.match(failureText(new RequestTimeoutError('session/prompt', 1, 120_000, 'inactivity')), /No answer from the agent for 120 seconds/);
    assert.match(failureText(new ConnectError('x answered HTTP 401', false, 401)), /refused the token.*Connect to Remote Server/);
    assert.match(failureText(new NotConnectedError('start', 'gave up')), /Reconnect Now/);
    const unreachable = failureText(new ServerUnreachableError('remote', URL, 1000, 'connection refused'));
    assert.match(unreachable, new RegExp(`could not reach the remote server at ${URL.replace(/[/.]/g, '\\$&')} within 1 second`));
    assert.match(unreachable, /Use Local Server.*send your question again/);
    assert.match(failureText(new ServerUnreachableError('local', undefined, 2500, undefined)), /local server within 2.5 seconds.*Restart Local Server/);
    assert.match(failureText(new Error('odd')), /^Something went wrong\. "Punie: Show Logs"/);
  });

  it('offers the fix for a failed server check: Set token… for the token, Edit URL… otherwise', () => {
    const token = new ServerCheckError('token', URL, 'refused');
    assert.match(serverProblemText(token), /refused the token/);
    assert.deepEqual(serverProblemActions(token)[0], { label: 'Set token…', command: 'punie.connectRemote', args: [URL] });
    for (const problem of ['unreachable', 'not-punie', 'no-endpoint', 'forbidden'] as const) {
      const actions = serverProblemActions(new ServerCheckError(problem, URL, 'x'));
      assert.deepEqual(
        actions.map((a) => a.label),
        ['Edit URL…', 'Use Local Server'],
        problem,
      );
      assert.ok(serverProblemText(new ServerCheckError(problem, URL, 'x')).includes(URL), `${problem} names the URL`);
    }
    assert.equal(failureText(token), serverProblemText(token), 'a turn failed by the check reads the same');
  });
});

describe('failure kinds for the chat (Retry, model failures by data)', () => {
  it('marks what asking again can fix, and never shows ids', () => {
    const cases: [Error, string, RegExp, boolean][] = [
      [new SessionExpiredError('punie-session-1', 'not found'), 'sessionGone', /server restarted and this session could not be found; your next question starts a new one/, true],
      [new ConnectionClosedError('session/prompt', 7, 'socket closed'), 'interrupted', /^Interrupted/, true],
      [new RequestTimeoutError('session/prompt', 7, 120_000, 'inactivity'), 'connection', /No answer from the agent for 120 seconds/, true],
      [new NotConnectedError('start', 'HTTP 401', 401), 'connection', /refused the token/, false],
      [new RpcError(ErrorCodes.LimitExceeded, 'too many sessions for client-3', { limit: 'maxSessions' }), 'limit', /server is busy/, true],
      [new RpcError(ErrorCodes.InternalError, 'boom in session/prompt (request id 9)'), 'other', /Something went wrong/, false],
    ];
    for (const [err, kind, text, retry] of cases) {
      const failure = describeFailure(err);
      assert.deepEqual([failure.kind, failure.retry], [kind, retry], err.message);
      assert.match(failure.text, text);
      assert.doesNotMatch(failure.text, /request id|punie-session-|session\/(prompt|resume|load|new)/, failure.text);
    }
  });

  it('does not take a model’s context-length message for a bad token', () => {
    const err = new RpcError(ErrorCodes.InternalError, 'Model "ollama:llama3" failed: maximum context length is 8192 tokens', { model: 'ollama:llama3' });
    const failure = describeFailure(err);
    assert.equal(failure.kind, 'model');
    assert.match(failure.text, /maximum context length is 8192 tokens/);
    assert.doesNotMatch(failure.text, /refused the token|Connect to Remote/);
  });
});
