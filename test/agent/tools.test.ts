import assert from 'node:assert/strict';
import { untilAborted } from '../../src/agent/models/abortable';
import { ALL_TOOLS } from '../../src/agent/tools';
import { displayPath, resolvePath, truncateText } from '../../src/agent/tools/paths';
import { commandLine } from '../../src/agent/tools/runCommand';
import { listCommand, searchCommand } from '../../src/agent/tools/search';
import { describeResult, keepTail } from '../../src/agent/tools/terminal';

describe('tool helpers', () => {
  it('offers each tool with the JSON Schema of the zod schema that parses its arguments', () => {
    const read = ALL_TOOLS.find((t) => t.spec.name === 'read_file')!;
    assert.deepEqual(read.spec.parameters.required, ['path']);
    assert.deepEqual(Object.keys(read.spec.parameters.properties as object), ['path', 'line', 'limit']);
    for (const tool of ALL_TOOLS) {
      const { parameters } = tool.spec;
      assert.equal(parameters.type, 'object', tool.spec.name);
      assert.equal(parameters.$schema, undefined, 'no $schema key for the model APIs');
      for (const [key, property] of Object.entries(parameters.properties as Record<string, { description?: string }>)) {
        assert.ok(property.description, `${tool.spec.name}.${key} has a description`);
      }
    }
  });

  it('resolves model paths against the cwd in its own style', () => {
    assert.equal(resolvePath('/w', 'src/a.ts'), '/w/src/a.ts');
    assert.equal(resolvePath('/w', '../x'), '/x');
    assert.equal(resolvePath('/w', '/etc/hosts'), '/etc/hosts');
    assert.equal(resolvePath('C:\\w', 'src/a.ts'), 'C:\\w\\src\\a.ts');
    assert.equal(resolvePath('C:\\w', 'D:\\x.txt'), 'D:\\x.txt');
    assert.equal(displayPath('/w', '/w/src/a.ts'), 'src/a.ts');
    assert.equal(displayPath('/w', '/etc/hosts'), '/etc/hosts');
  });

  it('runs a command line through the platform shell, and args without a shell', () => {
    assert.deepEqual(commandLine({ command: 'npm test -- --grep x' }, '/w'), { command: 'sh', args: ['-c', 'npm test -- --grep x'], cwd: '/w' });
    assert.deepEqual(commandLine({ command: 'dir' }, 'C:\\w'), { command: 'cmd.exe', args: ['/d', '/s', '/c', 'dir'], cwd: 'C:\\w' });
    assert.deepEqual(commandLine({ command: 'ls', args: ['-la'], cwd: 'src' }, '/w'), { command: 'ls', args: ['-la'], cwd: '/w/src' });
  });

  it('lists and searches with fixed programs whose inputs are plain arguments', () => {
    const list = listCommand({ path: 'src', glob: '*.ts; rm -rf /' }, '/w');
    assert.equal(list.command, 'find');
    assert.deepEqual(list.args.slice(0, 3), ['/w/src', '-maxdepth', '3']);
    assert.ok(list.args.includes('*.ts; rm -rf /'), 'the glob is one argument, never shell text');
    const search = searchCommand({ pattern: '$(reboot)' }, '/w');
    assert.equal(search.command, 'grep');
    assert.deepEqual(search.args.slice(-4), ['-e', '$(reboot)', '--', '/w']);
    assert.equal(listCommand({}, 'C:\\w').command, 'where');
    assert.equal(searchCommand({ pattern: 'x' }, 'C:\\w').command, 'findstr');
  });

  it('keeps the tail of long output on a UTF-8 character boundary', () => {
    assert.deepEqual(keepTail('abc', 10), { text: 'abc', cut: false });
    assert.deepEqual(keepTail('héllo', 4), { text: 'llo', cut: true });
    assert.deepEqual(keepTail('aé', 1), { text: '', cut: true });
    assert.match(describeResult('ls', { terminalId: 't', exitCode: 2, signal: null, output: 'x', truncated: true }), /^`ls` exited with code 2 \(output truncated; the start is missing\)\.\nx$/);
    assert.match(truncateText('abcdef', 3), /^abc\n… \[truncated: 3 more characters\]$/);
  });

  it('untilAborted stops waiting on a stuck source at once', async () => {
    const controller = new AbortController();
    const stuck = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => {}) }) };
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(
      (async () => {
        for await (const _ of untilAborted(stuck, controller.signal)) assert.fail('nothing to yield');
      })(),
      (err: Error) => err.name === 'AbortError',
    );
  });
});
