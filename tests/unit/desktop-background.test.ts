import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/core/log.js';
import { BACKGROUND_NOTICE, FrontDesk, HIDDEN_ARG, quitQuestion, startedHidden, type QuitChoice } from '../../main/electron/background.js';
import { applyLoginItem, autostartEntry } from '../../main/electron/login-item.js';
import { Preferences } from '../../main/electron/preferences.js';
import { FakeApp, FakeWindow } from '../support/electron-fakes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lexdesk-desk-'));
  dirs.push(dir);
  return dir;
}

function setup(options: { user?: string | null; answers?: QuitChoice[] } = {}) {
  const app = new FakeApp();
  let win = new FakeWindow();
  const created: FakeWindow[] = [];
  const core = {
    running: true,
    stops: 0,
    async stop() {
      this.stops++;
      this.running = false;
    },
  };
  const preferences = Preferences.load(folder(), silentLogger);
  const notices: { title: string; body: string }[] = [];
  const answers = [...(options.answers ?? [])];
  const asked: number[] = [];
  const desk = new FrontDesk<FakeWindow>({
    app,
    window: () => win,
    createWindow: () => {
      win = new FakeWindow();
      created.push(win);
      return win;
    },
    core,
    preferences,
    signedInUser: () => (options.user === undefined ? 'user-maria' : options.user),
    confirmQuit: async () => {
      asked.push(1);
      return answers.shift() ?? { quit: false, dontAskAgain: false };
    },
    notify: (notice) => notices.push(notice),
    log: silentLogger,
  });
  desk.install();
  desk.manage(win);
  return { app, win: () => win, created, core, preferences, notices, asked, desk };
}

describe('the desktop app as a front desk', () => {
  it('closing the window hides it, and the app goes on running', () => {
    const { app, win, core } = setup();
    const event = win().userCloses();
    expect(event.defaultPrevented).toBe(true);
    expect(win().visible).toBe(false);
    expect(win().destroyed).toBe(false);
    app.emit('window-all-closed');
    expect(app.quits).toBe(0);
    expect(core.running).toBe(true);
  });

  it('the first time the window is hidden, a notification says LexDesk is still running; never again after that', async () => {
    const { win, notices, preferences } = setup();
    win().userCloses();
    win().show();
    win().userCloses();
    expect(notices).toEqual([BACKGROUND_NOTICE]);
    expect(preferences.get().backgroundNoticeShown).toBe(true);
    await preferences.update({});
    // the next start remembers it
    expect(JSON.parse(readFileSync(preferences.file, 'utf8'))).toMatchObject({ backgroundNoticeShown: true });
  });

  it('Quit asks first; "Keep running" keeps the core and the window as they were', async () => {
    const { desk, core, app, asked } = setup({ answers: [{ quit: false, dontAskAgain: false }] });
    expect(await desk.requestQuit()).toBe(false);
    expect(asked).toHaveLength(1);
    expect(core.running).toBe(true);
    expect(app.quits).toBe(0);
    expect(quitQuestion()).toMatchObject({
      detail: expect.stringContaining('Clients will get no answers while LexDesk is closed'),
      checkboxLabel: 'Do not ask me again',
      cancelId: 1,
    });
  });

  it('confirmed, Quit stops the core before the app exits, and the window may close then', async () => {
    const { desk, core, app, win } = setup({ answers: [{ quit: true, dontAskAgain: false }] });
    expect(await desk.requestQuit()).toBe(true);
    expect(core.stops).toBe(1);
    expect(core.running).toBe(false);
    expect(app.quits).toBe(1);
    // the quit went through: before-quit no longer holds it, the window closes for real
    expect(app.userQuits().defaultPrevented).toBe(false);
    expect(win().userCloses().defaultPrevented).toBe(false);
  });

  it('"Do not ask me again" is remembered for that staff member only', async () => {
    const first = setup({ user: 'user-maria', answers: [{ quit: true, dontAskAgain: true }] });
    await first.desk.requestQuit();
    expect(first.preferences.get().quitWithoutAsking).toEqual(['user-maria']);

    const dir = first.preferences.file.replace(/[/\\][^/\\]+$/, '');
    const again = (user: string) => {
      const app = new FakeApp();
      const asked: string[] = [];
      const core = { running: true, async stop() {} };
      const desk = new FrontDesk({
        app,
        window: () => null,
        createWindow: () => new FakeWindow(),
        core,
        preferences: Preferences.load(dir, silentLogger),
        signedInUser: () => user,
        confirmQuit: async () => {
          asked.push(user);
          return { quit: false, dontAskAgain: false };
        },
        notify: () => undefined,
        log: silentLogger,
      });
      return { desk, asked, app };
    };
    const maria = again('user-maria');
    expect(await maria.desk.requestQuit()).toBe(true);
    expect(maria.asked).toEqual([]);
    const joao = again('user-joao');
    expect(await joao.desk.requestQuit()).toBe(false);
    expect(joao.asked).toEqual(['user-joao']);
  });

  it('Cmd+Q (before-quit from the system) asks the same question instead of quitting', async () => {
    const { app, asked, core } = setup({ answers: [{ quit: false, dontAskAgain: false }] });
    const event = app.userQuits();
    expect(event.defaultPrevented).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toHaveLength(1);
    expect(core.running).toBe(true);
  });

  it('a shutdown or logoff quits without asking, after the core has stopped', async () => {
    const { desk, asked, core, app } = setup();
    await desk.quitNow('shutdown');
    expect(asked).toEqual([]);
    expect(core.stops).toBe(1);
    expect(app.quits).toBe(1);
    // a second signal while stopping does not stop twice
    await desk.quitNow('shutdown');
    expect(core.stops).toBe(1);
  });

  it('opening from the tray shows the hidden window, restored and focused, or makes a new one', () => {
    const { desk, win, created } = setup();
    win().userCloses();
    win().minimized = true;
    desk.open();
    expect(win()).toMatchObject({ visible: true, minimized: false, focused: 1 });
    win().destroyed = true;
    const fresh = desk.open();
    expect(created).toEqual([fresh]);
    // the new window hides on close as well
    expect(fresh.userCloses().defaultPrevented).toBe(true);
  });

  it('an update stops the core and lets the installer quit the app without the question', async () => {
    const { desk, core, app, asked } = setup();
    await desk.stopForUpdate();
    expect(core.running).toBe(false);
    expect(app.userQuits().defaultPrevented).toBe(false);
    expect(asked).toEqual([]);
  });
});

describe('starting with the computer', () => {
  it('is on by default and starts hidden', async () => {
    const prefs = Preferences.load(folder(), silentLogger);
    expect(prefs.get().openAtLogin).toBe(true);
    const app = new FakeApp();
    await applyLoginItem(true, { platform: 'win32', app, executable: 'C:\\LexDesk\\LexDesk.exe', autostartDir: folder() });
    expect(app.loginItem).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(startedHidden(['LexDesk.exe', HIDDEN_ARG])).toBe(true);
    expect(startedHidden(['LexDesk'], { wasOpenedAtLogin: true })).toBe(true);
    expect(startedHidden(['LexDesk'], { wasOpenedAtLogin: false })).toBe(false);
  });

  it('on Linux writes and removes an XDG autostart entry', async () => {
    const dir = join(folder(), 'autostart');
    const app = new FakeApp();
    await applyLoginItem(true, { platform: 'linux', app, executable: '/opt/Lex Desk/lexdesk', autostartDir: dir });
    const entry = readFileSync(join(dir, 'lexdesk.desktop'), 'utf8');
    expect(entry).toBe(autostartEntry('/opt/Lex Desk/lexdesk'));
    expect(entry).toContain('Exec="/opt/Lex Desk/lexdesk" --hidden');
    expect(app.loginItem).toBeNull();
    await applyLoginItem(false, { platform: 'linux', app, executable: '/opt/lexdesk', autostartDir: dir });
    expect(() => readFileSync(join(dir, 'lexdesk.desktop'))).toThrow();
  });

  it('a broken preferences file means the defaults', async () => {
    const dir = folder();
    const prefs = Preferences.load(dir, silentLogger);
    await prefs.update({ openAtLogin: false });
    expect(Preferences.load(dir, silentLogger).get().openAtLogin).toBe(false);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(prefs.file, '{ not json');
    expect(Preferences.load(dir, silentLogger).get()).toMatchObject({ openAtLogin: true, quitWithoutAsking: [] });
  });
});
