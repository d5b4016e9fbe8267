/** Sign-in: password step, then TOTP (showing the enrolment key and QR code the first time). */
import { landingPage } from '../../../worker/domain/access';
import { qrSvg } from '../shared/qr';
import type { StaffLoginAnswer, StaffTotpAnswer } from '../../../worker/routes/staff/auth';
import { api, type Me, setCsrf } from './api';
import { flash, onSubmit } from './dom';

const loginForm = document.getElementById('login-form') as HTMLFormElement;
const totpForm = document.getElementById('totp-form') as HTMLFormElement;
/** The page asked for (`?next=`), or null: then the console opens where the person's capabilities lead. */
const asked = (() => {
  const n = new URLSearchParams(location.search).get('next');
  return n?.startsWith('/staff/') && !n.startsWith('//') ? n : null;
})();

/** After sign-in: the page asked for, else 举报奖励 for reward staff and the queue for everyone else. */
async function goOn() {
  if (asked) return location.assign(asked);
  const me = await api<Me>('/api/staff/me').catch(() => null);
  location.assign(landingPage(me?.capabilities ?? []));
}

onSubmit(loginForm, async (data) => {
  flash('');
  const r = await api<StaffLoginAnswer>('/api/staff/login', {
    json: { username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') },
  });
  setCsrf(r.csrfToken);
  if (!r.needsTotp) return goOn();
  loginForm.hidden = true;
  totpForm.hidden = false;
  if (r.enrollment) {
    document.getElementById('enroll')!.hidden = false;
    document.getElementById('enroll-secret')!.textContent = r.enrollment.secret;
    document.getElementById('enroll-qr')!.replaceChildren(qrSvg(r.enrollment.uri));
  }
  (document.getElementById('totp') as HTMLInputElement).focus();
});

onSubmit(totpForm, async () => {
  flash('');
  const code = (document.getElementById('totp') as HTMLInputElement).value.trim();
  if (!/^\d{6}$/.test(code)) return flash('请输入 6 位数字验证码。');
  const r = await api<StaffTotpAnswer>('/api/staff/login/totp', { json: { code } });
  setCsrf(r.csrfToken);
  await goOn();
});
