import assert from 'node:assert/strict';
import { CommandPrefixGrants, commandWords, prefixChoices } from '../../src/client/commandPrefix';
import type { TerminalCommand } from '../../src/protocol/toolInput';

const sh = (line: string, cwd = '/w'): TerminalCommand => ({ command: 'sh', args: ['-c', line], cwd });
const argv = (words: string[], cwd = '/w'): TerminalCommand => ({ command: words[0], args: words.slice(1), cwd });

describe('command prefixes ("Always allow commands starting with …")', () => {
  it('sees a program and its arguments, or a shell line of plain words, as argv words', () => {
    assert.deepEqual(commandWords(argv(['npm', 'test', '--', 'a b'])), ['npm', 'test', '--', 'a b']);
    assert.deepEqual(commandWords(sh('npm test -- --grep=x')), ['npm', 'test', '--', '--grep=x']);
    assert.deepEqual(commandWords({ command: 'cmd.exe', args: ['/d', '/s', '/c', 'npm test'], cwd: 'C:\\w' }), ['npm', 'test']);
    for (const line of ['npm test; rm -rf ~', 'npm test && x', 'npm "test"', 'npm  test', 'npm\ttest', 'npm test\nrm x', 'echo $HOME', 'ls *', 'npm test > out', 'echo %PATH%', 'FOO=1 npm test', '`x`', '']) {
      assert.equal(commandWords(sh(line)), undefined, line);
    }
  });

  it('offers each proper prefix, shortest first, and none for a single word or an opaque line', () => {
    assert.deepEqual(prefixChoices(sh('npm run test')), [['npm'], ['npm', 'run']]);
    assert.deepEqual(prefixChoices(sh('ls')), []);
    assert.deepEqual(prefixChoices(sh('npm test | tee x')), []);
  });

  it('a granted prefix matches later commands that start with its exact words, in the same folder and environment', () => {
    const grants = new CommandPrefixGrants();
    assert.equal(grants.grant('s', sh('npm test -- --grep a'), 2), true);
    assert.deepEqual(grants.match('s', sh('npm test -- --grep b')), ['npm', 'test']);
    assert.deepEqual(grants.match('s', argv(['npm', 'test'])), ['npm', 'test']);
    assert.equal(grants.match('s', sh('npm test; rm -rf ~')), undefined, 'a shell string is never matched as a prefix');
    assert.equal(grants.match('s', argv(['npm', 'test; rm -rf ~'])), undefined, 'argv words compare exactly');
    assert.equal(grants.match('s', sh('npm tests')), undefined);
    assert.equal(grants.match('s', sh('npm')), undefined, 'shorter than the prefix');
    assert.equal(grants.match('s', sh('npm test', '/elsewhere')), undefined, 'another folder');
    assert.equal(grants.match('s', { ...sh('npm test'), env: [{ name: 'PATH', value: '/tmp/evil' }] }), undefined, 'other environment changes');
    assert.equal(grants.match('other-session', sh('npm test')), undefined, 'per session');
  });

  it('refuses a prefix that is not one of the choices, and keeps a bounded list per session', () => {
    const grants = new CommandPrefixGrants(2);
    assert.equal(grants.grant('s', sh('npm test'), 2), false, 'the whole command is "this exact command", not a prefix');
    assert.equal(grants.grant('s', sh('npm test'), 0), false);
    assert.equal(grants.grant('s', sh('npm test; x'), 1), false);
    assert.equal(grants.match('s', sh('npm run')), undefined);
    grants.grant('s', sh('a b'), 1);
    grants.grant('s', sh('c d'), 1);
    grants.grant('s', sh('e f'), 1);
    assert.equal(grants.match('s', sh('a x')), undefined, 'the oldest went');
    assert.deepEqual(grants.match('s', sh('e x')), ['e']);
  });
});
