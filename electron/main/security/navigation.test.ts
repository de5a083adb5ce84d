import { describe, expect, it, vi } from 'vitest';
import { installNavigationGuard, isAllowedExternalUrl } from './navigation.ts';
import type { GuardedContents, PreventableEvent } from './navigation.ts';

type Listener = (event: PreventableEvent & { url: string }, url: string) => void;

class FakeContents implements GuardedContents {
  readonly listeners = new Map<string, Listener>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  on(event: string, listener: Listener): this {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Emits an event and reports whether the listener prevented it. */
  emit(name: string, url: string): boolean {
    let prevented = false;
    const event = { url, preventDefault: () => (prevented = true) };
    this.listeners.get(name)?.(event, url);
    return prevented;
  }
}

const HOSTS = ['huggingface.co', 'github.com'];

function setup() {
  const contents = new FakeContents();
  const openExternal = vi.fn();
  const onBlocked = vi.fn();
  installNavigationGuard(contents, { externalHosts: HOSTS, openExternal, onBlocked });
  return { contents, openExternal, onBlocked };
}

describe('isAllowedExternalUrl', () => {
  it.each([
    ['https://huggingface.co/roneneldan/TinyStories', true],
    ['https://github.com/karpathy/llama2.c', true],
    ['HTTPS://HuggingFace.co/x', true],
    ['http://huggingface.co/', false],
    ['https://huggingface.co.evil.example/', false],
    ['https://evil.example/huggingface.co', false],
    ['https://sub.huggingface.co/', false],
    ['https://user:pw@huggingface.co/', false],
    ['https://huggingface.co:8443/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['probescope-app://app/index.html', false],
    ['not a url', false],
  ])('%s -> %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url, HOSTS)).toBe(allowed);
  });
});

describe('installNavigationGuard', () => {
  it('blocks every navigation, including to the app itself', () => {
    const { contents, openExternal } = setup();
    expect(contents.emit('will-navigate', 'probescope-app://app/other.html')).toBe(true);
    expect(contents.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emit('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emit('will-redirect', 'https://evil.example/')).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('hands allow-listed https links to the system browser instead of navigating', () => {
    const { contents, openExternal } = setup();
    expect(contents.emit('will-navigate', 'https://huggingface.co/models')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://huggingface.co/models');
  });

  it('denies every new window and opens only allow-listed https URLs externally', () => {
    const { contents, openExternal, onBlocked } = setup();
    expect(contents.openHandler?.({ url: 'https://github.com/x' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'http://github.com/x' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://github.com/x']]);
    expect(onBlocked).toHaveBeenCalledTimes(3);
  });

  it('prevents <webview> attachment', () => {
    const { contents } = setup();
    expect(contents.emit('will-attach-webview', '')).toBe(true);
  });

  it('swallows openExternal failures', async () => {
    const contents = new FakeContents();
    installNavigationGuard(contents, { externalHosts: HOSTS, openExternal: () => Promise.reject(new Error('no browser')) });
    expect(contents.openHandler?.({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    await new Promise((r) => setTimeout(r, 0));
  });
});
