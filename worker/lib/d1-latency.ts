/**
 * The bench's remote-D1 mode (`npm run bench -- --remote-d1 20`): every D1 round trip waits the given number of
 * milliseconds first, as a Worker far from its D1 primary waits for the network. Locally D1 is a SQLite file one
 * IPC hop away, so without this the bench would show a write path that only holds because the database is next
 * door.
 *
 * What counts as a round trip: one call of `first`, `all`, `run` or `raw` on a statement, one `batch` (however
 * many statements) and one `exec` — the calls that go to D1; `prepare` and `bind` stay local. The wait comes
 * before the call, so the database does its work (and holds its write lock) exactly as long as without it: the
 * added time is travel, not work, which is what distance adds.
 *
 * Never active in production: it needs the variable `BENCH_D1_LATENCY_MS` (passed only by the bench with
 * `wrangler dev --var`; it is in neither wrangler.toml nor .dev.vars.example) *and* a request to a loopback host.
 */
import type { Env } from '../env';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** The milliseconds to add per D1 round trip for this request, or 0 (off). */
export function d1LatencyFor(env: Env, url: string): number {
  const ms = Number(env.BENCH_D1_LATENCY_MS ?? 0);
  if (!(ms > 0) || ms > 1000) return 0;
  return LOOPBACK.test(new URL(url).hostname) ? ms : 0;
}

/** `db` with `ms` added before every round trip (see above). */
export function delayedD1(db: D1Database, ms: number): D1Database {
  const wait = () => new Promise<void>((r) => setTimeout(r, ms));
  const later =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      await wait();
      return f(...a);
    };
  const wrap = (s: D1PreparedStatement): D1PreparedStatement => {
    // Own properties over the prototype's methods: the object stays the real statement, so `batch` takes it.
    const { bind, first, all, run, raw } = {
      bind: s.bind.bind(s),
      first: s.first.bind(s),
      all: s.all.bind(s),
      run: s.run.bind(s),
      raw: s.raw.bind(s),
    };
    return Object.assign(s, {
      bind: (...values: unknown[]) => wrap(bind(...values)),
      first: later(first as (...a: unknown[]) => Promise<unknown>),
      all: later(all),
      run: later(run),
      raw: later(raw as (...a: unknown[]) => Promise<unknown[]>),
    }) as D1PreparedStatement;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch') return later(target.batch.bind(target));
      if (prop === 'exec') return later(target.exec.bind(target));
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** The environment a request runs with: the real one, or (bench, loopback only) one whose D1 is far away. */
export function benchEnv(env: Env, request: Request): Env {
  const ms = d1LatencyFor(env, request.url);
  return ms ? { ...env, DB: delayedD1(env.DB, ms) } : env;
}
