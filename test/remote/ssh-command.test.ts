import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMOTE_COMMAND,
  parseDestination,
  parseRemoteCommand,
  parseSshOption,
  parseSshSettings,
  sshArgv,
} from '../../src/remote/ssh-command.js';

describe('ssh argument vector', () => {
  it('puts fixed options, then the user options, then -- before the destination and the remote words', () => {
    const s = parseSshSettings({ ssh: ['ops@web1', 'ssh://ops@[::1]:2222'], sshOptions: ['Port=2222', 'IdentityFile=/home/ops/.ssh/id ops'] });
    expect(s.remoteCommand).toEqual(['sudo', '-n', 'sessiontop']);
    const argv = sshArgv(s, 'ops@web1', 'record');
    expect(argv.slice(0, 3)).toEqual(['-T', '-x', '-a']);
    expect(argv).toContain('BatchMode=yes');
    const dd = argv.indexOf('--');
    expect(argv.slice(dd)).toEqual(['--', 'ops@web1', 'sudo', '-n', 'sessiontop', 'record', '-o', '-']);
    // user options stay one argument each (a space in a value never splits it)
    expect(argv.slice(0, dd)).toContain('IdentityFile=/home/ops/.ssh/id ops');
    expect(argv[argv.indexOf('IdentityFile=/home/ops/.ssh/id ops') - 1]).toBe('-o');
    expect(sshArgv(s, 'ssh://ops@[::1]:2222', 'snapshot').slice(-5)).toEqual(['sudo', '-n', 'sessiontop', 'snapshot', '--json']);
  });

  it('refuses destinations ssh would read as options or that hold anything but host characters', () => {
    for (const d of ['-oProxyCommand=touch /tmp/x', '-p', '--', 'host;id', 'host name', 'a\nb', 'h`id`', 'h$(id)', "h'x", 'h\u009b']) {
      expect(() => parseDestination(d), d).toThrow(/destination/);
    }
    expect(() => parseDestination('')).toThrow(/needs a destination/);
    for (const d of ['web1', 'ops@web1.example.org', 'ssh://ops@10.0.0.1:2222', '[fe80::1%eth0]', 'ops@[2001:db8::1]']) expect(parseDestination(d)).toBe(d);
  });

  it('validates ssh options: keyword=value, no control characters, nothing that runs commands or changes the session', () => {
    expect(parseSshOption('ProxyJump=bastion')).toEqual({ key: 'ProxyJump', value: 'bastion' });
    expect(parseSshOption('SetEnv=A=b')).toEqual({ key: 'SetEnv', value: 'A=b' });
    for (const [text, re] of [
      ['NoEquals', /KEY=VALUE/],
      ['=x', /KEY=VALUE/],
      ['Bad Key=x', /not an ssh_config keyword/],
      ['-oX=y', /not an ssh_config keyword/],
      ['ProxyCommand=nc %h %p\nHost *', /control character/],
      ['Port=', /empty value/],
      ['RemoteCommand=id', /not allowed/],
      ['localcommand=id', /not allowed/],
      ['PermitLocalCommand=yes', /not allowed/],
      ['RequestTTY=force', /not allowed/],
      ['BatchMode=no', /not allowed/],
      ['ForkAfterAuthentication=yes', /not allowed/],
    ] as const) {
      expect(() => parseSshOption(text), text).toThrow(re);
    }
  });

  it('splits the remote command into plain words and refuses shell metacharacters', () => {
    expect(parseRemoteCommand('  sudo -n   /usr/bin/node /opt/sessiontop/bin/sessiontop.js ')).toEqual(['sudo', '-n', '/usr/bin/node', '/opt/sessiontop/bin/sessiontop.js']);
    expect(parseRemoteCommand(DEFAULT_REMOTE_COMMAND)).toEqual(['sudo', '-n', 'sessiontop']);
    for (const c of ['sessiontop; id', 'sessiontop && id', 'sessiontop | tee x', '$(id)', '`id`', "sess'iontop", 'sessiontop > /etc/x', 'a\nb', 'sessiontop #', '~/bin/sessiontop', 'sessiontop *', 'x{a,b}', '!1']) {
      expect(() => parseRemoteCommand(c), c).toThrow(/remote shell would interpret it/);
    }
    expect(() => parseRemoteCommand('   ')).toThrow(/empty/);
  });

  it('refuses duplicates and ssh options without --ssh', () => {
    expect(() => parseSshSettings({ ssh: ['a', 'a'] })).toThrow(/twice/);
    expect(() => parseSshSettings({ sshOptions: ['Port=22'] })).toThrow(/go with --ssh/);
    expect(parseSshSettings({}).destinations).toEqual([]);
  });
});
