/**
 * Loads the Turnstile widget named by GET /api/config (Cloudflare's script in production, the local stand-in
 * offline) and keeps the latest token. Tokens are single-use: after a failed submission we reset the widget.
 */
interface TurnstileApi {
  render(el: HTMLElement, opts: Record<string, unknown>): string;
  reset(id: string): void;
}
declare global {
  interface Window {
    turnstile?: TurnstileApi;
  }
}

export class Turnstile {
  token = '';
  /** The check itself failed (blocked or an error), as opposed to not finished yet. */
  failed = false;
  private id = '';
  private waiters: { resolve: (t: string) => void; reject: (e: Error) => void }[] = [];
  constructor(
    private el: HTMLElement,
    private onToken: () => void,
  ) {}

  async load(cfg: { sitekey: string; scriptUrl: string }) {
    try {
      await this.render(cfg);
    } catch (e) {
      // No check (script blocked, or a deployment without usable keys): nothing waits for a token forever.
      this.failed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('turnstile'));
      throw e;
    }
  }

  private async render(cfg: { sitekey: string; scriptUrl: string }) {
    if (!cfg.scriptUrl || !cfg.sitekey) throw new Error('turnstile is not configured');
    // Check for the API itself: an element with id "turnstile" would also appear as window.turnstile.
    if (typeof window.turnstile?.render !== 'function') {
      await new Promise<void>((resolve, reject) => {
        const s = document.createElement('script');
        s.src = cfg.scriptUrl;
        s.async = true;
        s.onload = () => resolve();
        s.onerror = () => reject(new Error('turnstile script'));
        document.head.append(s);
      });
    }
    this.id = window.turnstile!.render(this.el, {
      sitekey: cfg.sitekey,
      action: 'report',
      language: 'zh-cn',
      callback: (t: string) => {
        this.failed = false;
        const waiter = this.waiters.shift();
        if (waiter) {
          waiter.resolve(t);
          setTimeout(() => this.reset(), 0); // that token is spoken for: a fresh one for the form
          return;
        }
        this.token = t;
        this.onToken();
      },
      'expired-callback': () => (this.token = ''),
      'error-callback': () => {
        this.token = '';
        this.failed = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error('turnstile'));
      },
    });
  }

  /**
   * Use the current token for another purpose (an upload ticket) and start a fresh check for the form: tokens
   * are single-use. Waits for the check when it has not finished yet; rejects when it failed.
   */
  take(): Promise<string> {
    const t = this.token;
    const next = new Promise<string>((resolve, reject) => {
      if (t) resolve(t);
      else if (this.failed) reject(new Error('turnstile'));
      else this.waiters.push({ resolve, reject });
    });
    if (t) this.reset();
    return next;
  }

  reset() {
    this.token = '';
    if (this.id && window.turnstile) window.turnstile.reset(this.id);
  }
}
