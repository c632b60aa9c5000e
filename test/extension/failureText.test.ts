import assert from 'node:assert/strict';
import { NotConnectedError, PromptLostError, SessionExpiredError } from '../../src/client/errors';
import { describeFailure } from '../../src/extension/failureText';
import { ErrorCodes, RpcError } from '../../src/protocol/jsonrpc';
import { ConnectionClosedError, RequestTimeoutError } from '../../src/transport/errors';

describe('failure text (chosen by class, code and data, worded without ids)', () => {
  const noIds = (text: string) => assert.doesNotMatch(text, /request id|punie-session-|session\/(prompt|resume|load|new)/, text);

  it('words each kind of failure plainly and offers Retry where asking again can help', () => {
    const cases: [Error, string, RegExp, boolean][] = [
      [new SessionExpiredError('punie-session-1', 'not found'), 'sessionGone', /server restarted and this session could not be found; your next question starts a new one/, true],
      [new PromptLostError('session/prompt', 7, 'punie-session-1'), 'interrupted', /Interrupted/, true],
      [new ConnectionClosedError('session/prompt', 7, 'socket closed'), 'interrupted', /Interrupted/, true],
      [new RequestTimeoutError('session/prompt', 7, 120_000, 'inactivity'), 'timeout', /No answer came for 120 seconds/, true],
      [new NotConnectedError('session/prompt', 'HTTP 401 Unauthorized', 401), 'auth', /HTTP 401.*token is missing or wrong/, false],
      [new NotConnectedError('session/prompt', 'ECONNREFUSED'), 'unreachable', /Cannot reach the Punie server/, true],
      [new RpcError(ErrorCodes.LimitExceeded, 'too many sessions for client-3', { limit: 'maxSessions' }), 'limit', /server is busy/, true],
      [new RpcError(ErrorCodes.InternalError, 'boom in session/prompt (request id 9)'), 'other', /Something went wrong/, false],
    ];
    for (const [err, kind, text, retry] of cases) {
      const failure = describeFailure(err);
      assert.equal(failure.kind, kind, err.message);
      assert.match(failure.text, text);
      assert.equal(failure.retry, retry, kind);
      noIds(failure.text);
    }
  });

  it('does not take a model’s context-length message for a bad token', () => {
    const err = new RpcError(ErrorCodes.InternalError, 'Model "ollama:llama3" failed: maximum context length is 8192 tokens', { model: 'ollama:llama3' });
    const failure = describeFailure(err);
    assert.equal(failure.kind, 'model');
    assert.match(failure.text, /maximum context length is 8192 tokens/);
    assert.doesNotMatch(failure.text, /token is missing|Connect to Remote/);
  });
});
