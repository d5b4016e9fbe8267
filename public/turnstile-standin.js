/*
 * Offline stand-in for Cloudflare's Turnstile widget, served only when the Worker says the local stand-in is
 * active (GET /api/config → scriptUrl). It behaves as Cloudflare documents for its test sitekeys:
 * 1x00000000000000000000AA always passes with the dummy token, 2x00000000000000000000AB always blocks.
 * The server still verifies the token; this file never decides anything by itself.
 */
(() => {
  var DUMMY = 'XXXX.DUMMY.TOKEN.XXXX';
  var widgets = {};
  var next = 0;
  function render(container, opts) {
    var el = typeof container === 'string' ? document.querySelector(container) : container;
    var id = `standin-${next++}`;
    var box = document.createElement('div');
    box.className = 'turnstile-standin';
    box.setAttribute('role', 'status');
    el.appendChild(box);
    var w = { box: box, opts: opts, token: '' };
    widgets[id] = w;
    run(w);
    return id;
  }
  function run(w) {
    if (w.opts.sitekey === '2x00000000000000000000AB') {
      w.box.textContent = '人机验证未通过（本地测试密钥）';
      if (w.opts['error-callback']) w.opts['error-callback']('110200');
      return;
    }
    w.token = DUMMY;
    w.box.textContent = '✓ 人机验证已通过（本地测试）';
    setTimeout(() => {
      if (w.opts.callback) w.opts.callback(DUMMY);
    }, 0);
  }
  window.turnstile = {
    render: render,
    reset: (id) => {
      var w = widgets[id];
      if (w) {
        w.token = '';
        run(w);
      }
    },
    remove: (id) => {
      var w = widgets[id];
      if (w) {
        w.box.remove();
        delete widgets[id];
      }
    },
    getResponse: (id) => {
      var w = widgets[id];
      return w ? w.token : undefined;
    },
    isExpired: () => false,
  };
  document.dispatchEvent(new Event('turnstile-ready'));
})();
