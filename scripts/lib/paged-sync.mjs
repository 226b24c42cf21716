// Harness: the paged bulk sync (users table, checkpoint, startable example); for test/queue, bench:scale, sandbox:seed.
// The paged bulk sync of examples/bulk-sync.json as the harness runs it (the queue suite and `npm run bench:scale`):
// the users table it reads (made and filled here, server-side), its checkpoint (read here), and the example made
// startable from outside: its schedule and manual triggers become production webhooks, because only production
// executions go to queue-mode workers and a schedule fires on main's clock.
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { exampleWorkflow } from './n8n.mjs';
import { Failure, run, waitFor } from './proc.mjs';

/** The table the example reads, and the one this harness fills. */
export const SOURCE_TABLE = 'app_users';
/** Where the example's page webhook listens (its Webhook node "A page to sync"). */
export const PAGE_PATH = 'rankr-bulk-sync-page';
/** Paths of the two webhooks the harness puts in place of "Run now" and of the 5-minute resume sweep. */
export const START_PATH = 'rankr-bulk-sync-start';
export const RESUME_PATH = 'rankr-bulk-sync-resume';
/** The id of user i: "sync-0000042" (fixed width, so text order is number order, up to 10,000,000 users). */
export const userId = (i) => `sync-${String(i).padStart(7, '0')}`;

/**
 * psql against one database: `db` = { bindir, port, user, password, database } (the bindir of PostgreSQL's
 * programs, as scripts/install-postgres.sh prints it). query(sql) → rows as arrays of strings; exec(sql) → nothing.
 */
export function psql(db) {
	const env = { PATH: process.env.PATH ?? '', PGPASSWORD: db.password, PGCONNECT_TIMEOUT: '5', LANG: 'C', LC_ALL: 'C' };
	const args = ['-h', db.host ?? '127.0.0.1', '-p', String(db.port), '-U', db.user, '-d', db.database, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-F', '\t'];
	const call = async (sql, timeoutMs = 120_000) => {
		const result = await run(path.join(db.bindir, 'psql'), [...args, '-c', sql], { env, cwd: process.cwd(), timeoutMs });
		if (result.code !== 0) throw new Failure(`psql on ${db.database}: ${result.stderr.trim().slice(0, 600) || `exit ${result.code ?? result.signal}`}`);
		return result.stdout;
	};
	return {
		exec: async (sql, timeoutMs) => void (await call(sql, timeoutMs)),
		query: async (sql, timeoutMs) =>
			(await call(sql, timeoutMs))
				.split('\n')
				.filter((line) => line !== '')
				.map((line) => line.split('\t')),
	};
}

/**
 * Creates (or empties) the users table and fills it with `users` rows, generated inside PostgreSQL
 * (generate_series: no row crosses the wire; 1,000,000 rows in a few seconds). Row i: id userId(i), email
 * member<i>@example.com, first name "Member", last name "<i>", plan free/pro/team, score, country.
 * Returns { ms }.
 */
export async function seedUsers(db, users) {
	if (!Number.isInteger(users) || users < 0) throw new Failure(`the number of users must be a whole number ≥ 0, got ${users}`);
	const started = Date.now();
	await psql(db).exec(
		`CREATE TABLE IF NOT EXISTS ${SOURCE_TABLE} (
		   id text PRIMARY KEY, email text NOT NULL, first_name text, last_name text, plan text, score integer, country text);
		 TRUNCATE ${SOURCE_TABLE};
		 INSERT INTO ${SOURCE_TABLE} (id, email, first_name, last_name, plan, score, country)
		 SELECT 'sync-' || lpad(i::text, 7, '0'), 'member' || i || '@example.com', 'Member', i::text,
		        (ARRAY['free', 'pro', 'team'])[i % 3 + 1], (i * 37) % 1000, CASE WHEN i % 2 = 1 THEN 'DE' ELSE 'NL' END
		 FROM generate_series(0, ${users - 1}) AS i;
		 ANALYZE ${SOURCE_TABLE};`,
		10 * 60_000,
	);
	return { ms: Date.now() - started };
}

/** Drops the checkpoint tables (a fresh start: the next start plans run 1). */
export async function resetCheckpoint(db) {
	await psql(db).exec('DROP TABLE IF EXISTS rankr_sync_pages; DROP TABLE IF EXISTS rankr_sync_rejected;');
}

/**
 * The checkpoint's rows (all runs, or `runId`'s): [{ runId, page, state, attempts, dispatches, executionId,
 * users, synced, rejected, failed, lastError, handedOutBy ('notification', 'webhook' or '') }] (-1 for a count not
 * written yet); [] before the first run made the table.
 */
export async function checkpointPages(db, runId) {
	const exists = await psql(db).query("SELECT to_regclass('rankr_sync_pages') IS NOT NULL");
	if (exists[0]?.[0] !== 't') return [];
	const rows = await psql(db).query(
		`SELECT run_id, page, state, attempts, dispatches, coalesce(execution_id, ''), coalesce(users, -1), coalesce(synced, -1), coalesce(rejected, -1),
		        coalesce(failed, -1), translate(coalesce(last_error, ''), E'\t\n', '  '), coalesce(handed_out_by, '')
		 FROM rankr_sync_pages ${runId === undefined ? '' : `WHERE run_id = ${Number(runId)}`} ORDER BY run_id, page`,
	);
	return rows.map(([run, page, state, attempts, dispatches, executionId, users, synced, rejected, failed, lastError, handedOutBy]) => ({
		runId: Number(run),
		page: Number(page),
		state,
		attempts: Number(attempts),
		dispatches: Number(dispatches),
		executionId,
		users: Number(users),
		synced: Number(synced),
		rejected: Number(rejected),
		failed: Number(failed),
		lastError,
		handedOutBy,
	}));
}

/**
 * Waits until the latest run has pages and all are done (or `timeoutMs` passes, or `stop()` says so);
 * polls the checkpoint every `intervalMs`. Returns { done, pages (of the latest run), ms }.
 */
export async function waitForSyncDone(db, { timeoutMs, intervalMs = 500, stop = () => false }) {
	const started = Date.now();
	let pages = [];
	const done = await waitFor(
		async () => {
			const all = await checkpointPages(db);
			const latest = all.reduce((max, p) => Math.max(max, p.runId), 0);
			pages = all.filter((p) => p.runId === latest);
			return (pages.length > 0 && pages.every((p) => p.state === 'done')) || stop();
		},
		{ timeoutMs, intervalMs },
	);
	return { done: Boolean(done) && pages.length > 0 && pages.every((p) => p.state === 'done'), pages, ms: Date.now() - started };
}

/**
 * examples/bulk-sync.json, startable from outside: "Run now" becomes a production webhook at START_PATH, the
 * 5-minute sweep one at RESUME_PATH (same node names, so the connections and the Settings node's reference to
 * the sweep hold), the nightly schedule is removed. `settings` overrides the Settings node's values by name
 * (pageSize, leaseMinutes, pageWebhookUrl); the workflow is marked active. Returns the workflow.
 */
export function pagedSyncWorkflow({ settings = {}, name } = {}) {
	const workflow = structuredClone(exampleWorkflow('bulk-sync').workflow);
	const byType = (type) => workflow.nodes.filter((n) => n.type === type);
	const [manual] = byType('n8n-nodes-base.manualTrigger');
	const schedules = byType('n8n-nodes-base.scheduleTrigger');
	const sweep = schedules.find((n) => /resume/i.test(n.name));
	const nightly = schedules.find((n) => n !== sweep);
	if (!manual || !sweep || !nightly) throw new Failure('examples/bulk-sync.json: expected a manual trigger, a nightly schedule and a resume sweep');
	workflow.nodes = workflow.nodes.filter((n) => n !== nightly);
	delete workflow.connections[nightly.name];
	for (const [node, webhookPath] of [
		[manual, START_PATH],
		[sweep, RESUME_PATH],
	]) {
		Object.assign(node, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: `${webhookPath}-id`, parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} } });
	}
	const settingsNode = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.set' && n.name === 'Settings');
	const assignments = settingsNode?.parameters.assignments?.assignments ?? [];
	for (const [key, value] of Object.entries(settings)) {
		const assignment = assignments.find((a) => a.name === key);
		if (!assignment) throw new Failure(`examples/bulk-sync.json: the Settings node has no "${key}"`);
		assignment.value = value;
	}
	workflow.active = true;
	if (name) workflow.name = name;
	return workflow;
}

/**
 * The example's page listener (its Postgres Trigger "A page from the coordinator", on n8n's main process) as
 * PostgreSQL sees it: the session whose last statement was LISTEN on the page channel. The coordinator's
 * "Notify the page listener" asks the same question before it notifies.
 */
export const PAGE_LISTENER_SQL = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND lower(btrim(query, E' \\t\\r\\n;')) = 'listen "rankr_sync_pages"'`;

/** The header the page webhook ("A page to sync", Header Auth) checks, with the credential "Bulk sync page key". */
export const PAGE_KEY_HEADER = 'X-Rankr-Sync-Key';

/** A new secret for the page webhook's Header Auth credential. */
export const newPageKey = () => `sync-${randomBytes(18).toString('base64url')}`;

/**
 * The Header Auth credential of the example's page webhook and its hand-out (one credential, both sides), for
 * import: `refs` from exampleCredentialRefs, `key` the secret. Undefined when the workflows use none.
 */
export function pageKeyCredential(refs, key) {
	return refs.httpHeaderAuth ? { ...refs.httpHeaderAuth, type: 'httpHeaderAuth', data: { name: PAGE_KEY_HEADER, value: key } } : undefined;
}
