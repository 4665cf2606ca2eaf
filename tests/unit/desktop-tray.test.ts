/// <reference types="electron" />
import { describe, expect, it } from 'vitest';
import type { Result } from '../../shared/errors.js';
import { FrontDeskMenu, LINK_IN_WORDS } from '../../main/electron/tray.js';
import { FakeTray } from '../support/electron-fakes.js';

const at = '2026-12-01T09:00:00.000Z';

function setup(options: { mac?: boolean; mayPause?: boolean; answer?: Result<unknown> } = {}) {
  const tray = options.mac ? null : new FakeTray();
  const dock: { menu: Electron.MenuItemConstructorOptions[] | null; setMenu(menu: Electron.MenuItemConstructorOptions[]): void } = {
    menu: null,
    setMenu(menu) {
      this.menu = menu;
    },
  };
  const calls: string[] = [];
  const told: string[] = [];
  let login = true;
  const menu = new FrontDeskMenu({
    tray,
    dock: options.mac ? dock : null,
    buildMenu: (template) => template,
    open: () => calls.push('open'),
    quit: () => calls.push('quit'),
    call: async (operation) => {
      calls.push(operation);
      return options.answer ?? { ok: true, value: { paused: operation === 'bot.pause', since: at, by: 'Maria' } };
    },
    mayPause: () => options.mayPause ?? true,
    startAtLogin: { get: () => login, set: (on) => void (login = on) },
    tell: (message) => told.push(message),
    initial: { link: 'ready', answering: { paused: false, since: null, by: null } },
  });
  return { tray, dock, menu, calls, told, login: () => login };
}

describe('the tray menu', () => {
  it('Open LexDesk, the WhatsApp state, Pause the bot, Start with the computer, Quit', () => {
    const { tray, calls } = setup();
    expect(tray!.menu!.map((i) => i.label ?? i.type)).toEqual([
      'Open LexDesk',
      'separator',
      'WhatsApp: connected',
      'The bot is answering',
      'Pause the bot',
      'separator',
      'Start with the computer',
      'separator',
      'Quit LexDesk',
    ]);
    tray!.click('open');
    tray!.emit('click');
    tray!.click('quit');
    expect(calls).toEqual(['open', 'open', 'quit']);
  });

  it('every link state has words, and the menu follows whatsapp.state events', () => {
    const { tray, menu } = setup();
    for (const [state, words] of Object.entries(LINK_IN_WORDS)) {
      menu.onEvent({ type: 'whatsapp.state', at, data: { state: state as keyof typeof LINK_IN_WORDS, since: at, number: null, reason: null, reconnects: 0, retryAt: null } });
      expect(tray!.item('whatsapp').label).toBe(`WhatsApp: ${words}`);
    }
    menu.onEvent({ type: 'bot.answering', at, data: { paused: true, since: at, by: 'João' } });
    expect(tray!.item('bot').label).toBe('The bot is paused (by João)');
    expect(tray!.item('pause').label).toBe('Resume the bot');
  });

  it('a refused pause is told to the person, and the menu stays as it was', async () => {
    const { tray, told, calls } = setup({ answer: { ok: false, error: { code: 'forbidden', message: 'You may not do that.' } } });
    tray!.click('pause');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['bot.pause']);
    expect(told).toEqual(['You may not do that.']);
    expect(tray!.item('pause').label).toBe('Pause the bot');
  });

  it('Start with the computer is a checkbox', () => {
    const { tray, login } = setup();
    expect(tray!.item('login')).toMatchObject({ type: 'checkbox', checked: true });
    tray!.click('login', { checked: false });
    expect(login()).toBe(false);
  });

  it('on macOS the same menu is the dock’s, without a Quit of its own', () => {
    const { dock } = setup({ mac: true });
    expect(dock.menu!.map((i) => i.id).filter(Boolean)).toEqual(['open', 'whatsapp', 'bot', 'pause', 'login']);
  });
});
