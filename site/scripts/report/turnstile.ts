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
  constructor(
    private el: HTMLElement,
    private onToken: () => void,
  ) {}

  async load(cfg: { sitekey: string; scriptUrl: string }) {
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
        this.token = t;
        this.failed = false;
        this.onToken();
      },
      'expired-callback': () => (this.token = ''),
      'error-callback': () => {
        this.token = '';
        this.failed = true;
      },
    });
  }

  reset() {
    this.token = '';
    if (this.id && window.turnstile) window.turnstile.reset(this.id);
  }
}
