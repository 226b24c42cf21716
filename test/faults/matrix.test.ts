// Jest (npm run test:faults): the fault matrix, every operation that changes data × every fault the sandboxes inject.
// The fault matrix: every operation that changes data × every fault the sandboxes can inject.
// Invariant in every cell: each input item ends as exactly one output item (success or error, paired to
// it); what is reported done is in the sandbox exactly once; what is reported failed is either not done, or
// its error says that it may have been done. The matrix is printed at the end; lost and duplicated must be 0.
// Operations that are not idempotent (user create, add to a workflow that allows re-entry, course import) run
// under every fault too: none may happen twice. A proxy that echoes the request (key and token included) is one
// of the faults, and every run's serialized result is scanned for the credentials' secrets.
import type { INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { runNode } from '../../scripts/engine/engine-runner';
import { AP_KEY, apCredentials, startActivatePro } from '../helpers/activatepro-fixture';
import { apiKeyCredentials, DOCUMENTED_VERSION, PIT, startEmailApi } from '../helpers/emailapi-fixture';

type AP = Awaited<ReturnType<typeof startActivatePro>>;
type EM = Awaited<ReturnType<typeof startEmailApi>>;
let ap: AP;
let em: EM;
beforeAll(async () => {
	ap = await startActivatePro({ processingDelayMs: 5 });
	em = await startEmailApi();
});
afterAll(async () => {
	await ap.close();
	await em.close();
	printMatrix();
});

const ITEMS = 3;
const SAYS_MAYBE_DONE = /may still|may or may not|accepted|not known|unknown or expired/i;

interface Cell {
	op: string;
	fault: string;
	in: number;
	ok: number;
	failed: number;
	lost: number;
	duplicated: number;
}
const cells: Cell[] = [];

function printMatrix() {
	const header = ['operation', 'fault', 'in', 'ok', 'failed', 'lost', 'duplicated'];
	const rows = cells.map((c) => [c.op, c.fault, c.in, c.ok, c.failed, c.lost, c.duplicated].map(String));
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i])).join('  ');
	// eslint-disable-next-line no-console
	console.log(['Fault matrix', line(header), ...rows.map(line)].join('\n'));
}

type Fault = { name: string; apply: (route: string) => void; needsWait?: boolean; onlyBatch?: boolean };

const apFaults = (): Fault[] => [
	{ name: '5xx burst (2)', apply: (route) => ap.faults.add({ route, kind: 'status', status: 503, times: 2 }) },
	{ name: '5xx outage (6)', apply: (route) => ap.faults.add({ route, kind: 'status', status: 500, times: 6 }) },
	{ name: '429 Retry-After 1', apply: (route) => ap.faults.add({ route, kind: 'status', status: 429, headers: { 'Retry-After': '1' } }) },
	{ name: 'connection dropped', apply: (route) => ap.faults.add({ route, kind: 'drop' }) },
	{ name: 'answer lost (processed)', apply: (route) => ap.faults.add({ route, kind: 'dropAfterProcess' }) },
	{ name: 'proxy echoes request (400)', apply: (route) => ap.faults.add({ route, kind: 'echo', status: 400 }) },
	{ name: 'tracking stuck PENDING', apply: () => (ap.stuck = true), needsWait: true },
	{
		name: 'tracking 404 mid-wait',
		needsWait: true,
		apply: () => {
			ap.stuck = true;
			void sleep(300).then(() => ap.tracking.clear());
		},
	},
	{ name: 'partial batch', onlyBatch: true, apply: () => undefined },
];

const users = (prefix: string) => Array.from({ length: ITEMS }, (_, i) => ({ id: `${prefix}-${i}`, email: `${prefix}-${i}@example.com`, name: `Fault Case${i}` }));

function outcome(items: INodeExecutionData[], errorsOut: INodeExecutionData[], n: number) {
	const all = [...items, ...errorsOut];
	const perInput = new Map<number, INodeExecutionData[]>();
	for (const item of all) {
		const index = (item.pairedItem as { item: number }).item;
		perInput.set(index, [...(perInput.get(index) ?? []), item]);
	}
	const lost = Array.from({ length: n }, (_, i) => i).filter((i) => !perInput.has(i)).length;
	const duplicated = [...perInput.values()].filter((v) => v.length > 1).length;
	return { perInput, lost, duplicated };
}

// Error-output items carry the input item's fields too (n8n merges them in), so an error is recognised
// by its `error` message string; success items never have one.
const isError = (item: INodeExecutionData) => typeof item.json.error === 'string';

describe('ActivatePro', () => {
	const ops = [
		{ name: 'upsert', route: 'PUT /users', wait: false },
		{ name: 'upsert + wait', route: 'PUT /users', wait: true },
		{ name: 'delete', route: 'DELETE /users/', wait: false },
		{ name: 'delete + wait', route: 'DELETE /users/', wait: true },
		{ name: 'batch', route: 'POST /users/batch', wait: false },
		{ name: 'batch + wait', route: 'POST /users/batch', wait: true },
	];
	for (const op of ops) {
		for (const fault of apFaults()) {
			if (fault.needsWait && !op.wait) continue;
			if (fault.onlyBatch && !op.name.startsWith('batch')) continue;
			test(`${op.name} × ${fault.name}`, async () => {
				ap.reset();
				const prefix = `${op.name.replace(/\W+/g, '')}-${fault.name.replace(/\W+/g, '')}`;
				const input = users(prefix);
				const isDelete = op.name.startsWith('delete');
				if (isDelete) for (const u of input) ap.users.set(u.id, { id: u.id, email: u.email });
				if (fault.name === 'partial batch') input[1] = { ...input[1], email: `${prefix}-1@example.com`, phone: 'not a phone' } as never;
				fault.apply(op.route);
				const parameters: Record<string, unknown> = op.name.startsWith('batch')
					? { operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'inputFields', excludeFields: 'name' }
					: isDelete
						? { operation: 'delete', userId: '={{ $json.id }}' }
						: { operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none' };
				parameters.options = { waitForCompletion: op.wait, timeout: 3 };
				const r = await runNode({ type: 'n8n-nodes-rankr.activateProUser', parameters, items: input, credentials: apCredentials(ap), onError: 'continueErrorOutput' });
				expect(r.error).toBeUndefined();
				expect(r.serialized).not.toContain(AP_KEY);
				await sleep(50); // let accepted work finish
				const { perInput, lost, duplicated } = outcome(r.success, r.errors, ITEMS);
				let ok = 0;
				let failed = 0;
				let wrong = 0;
				perInput.forEach(([item], i) => {
					const present = ap.users.has(input[i].id);
					if (isError(item)) {
						failed++;
						const done = isDelete ? !present : present;
						if (done && !SAYS_MAYBE_DONE.test(`${item.json.error} ${item.json.message}`)) wrong++;
					} else {
						ok++;
						const done = isDelete ? !present : present;
						if (op.wait && !done) wrong++; // reported processed, must be so
					}
				});
				cells.push({ op: `ActivatePro ${op.name}`, fault: fault.name, in: ITEMS, ok, failed, lost: lost + wrong, duplicated });
				expect({ lost, duplicated, wrong }).toEqual({ lost: 0, duplicated: 0, wrong: 0 });
			});
		}
	}
});

describe('Email API', () => {
	const emFaults = (): Fault[] => [
		{ name: '5xx burst (2)', apply: (route) => em.faults.add({ route, kind: 'status', status: 502, times: 2 }) },
		{ name: '5xx outage (6)', apply: (route) => em.faults.add({ route, kind: 'status', status: 500, times: 6 }) },
		{ name: '429 Retry-After 1', apply: (route) => em.faults.add({ route, kind: 'status', status: 429, headers: { 'Retry-After': '1' } }) },
		{ name: 'connection dropped', apply: (route) => em.faults.add({ route, kind: 'drop' }) },
		{ name: 'answer lost (processed)', apply: (route) => em.faults.add({ route, kind: 'dropAfterProcess' }) },
		{ name: 'proxy echoes request (400)', apply: (route) => em.faults.add({ route, kind: 'echo', status: 400 }) },
	];
	const welcome = () => em.seededWorkflowIds().welcome;
	let reentry = '';

	async function seedUsersAndContacts(input: ReturnType<typeof users>) {
		const ids: Array<{ userId: string; contactId: string }> = [];
		for (const u of input) {
			const created = await fetch(`${em.url}/users/`, {
				method: 'POST',
				headers: { authorization: `Bearer ${apiKeyCredentials(em).emailApiKeyApi.token}`, version: DOCUMENTED_VERSION, 'content-type': 'application/json' },
				body: JSON.stringify({ companyId: em.companyId, firstName: 'Seed', lastName: 'User', email: u.email, password: 'Seed-Password-1!', type: 'account', role: 'user', locationIds: [em.locationId] }),
			}).then((r) => r.json() as Promise<{ id: string }>);
			const contact = await fetch(`${em.url}/contacts/upsert`, {
				method: 'POST',
				headers: { authorization: `Bearer ${apiKeyCredentials(em).emailApiKeyApi.token}`, version: DOCUMENTED_VERSION, 'content-type': 'application/json' },
				body: JSON.stringify({ locationId: em.locationId, email: u.email }),
			}).then((r) => r.json() as Promise<{ contact: { id: string } }>);
			ids.push({ userId: created.id, contactId: contact.contact.id });
		}
		em.clearLog();
		return ids;
	}

	const ops = [
		{ name: 'user create', route: 'POST /users' },
		{ name: 'user update', route: 'PUT /users/' },
		{ name: 'user delete', route: 'DELETE /users/' },
		{ name: 'contact addToWorkflow', route: 'POST /contacts/' },
		{ name: 'contact addToWorkflow (re-entry)', route: 'POST /contacts/' },
		{ name: 'course import', route: 'POST /courses/' },
	];
	for (const op of ops) {
		for (const fault of emFaults()) {
			test(`${op.name} × ${fault.name}`, async () => {
				em.reset();
				// a workflow with "Allow re-entry": every add that reaches it enrols and emails again
				reentry = em.addWorkflow({ name: 'Weekly Digest', allowReentry: true }).id;
				const prefix = `${op.name.replace(/\W+/g, '')}${fault.name.replace(/\W+/g, '')}`.toLowerCase();
				const input = users(prefix);
				const seeded = op.name === 'user create' || op.name === 'course import' ? [] : await seedUsersAndContacts(input);
				const items = input.map((u, i) => ({ ...u, ...(seeded[i] ?? {}) }));
				fault.apply(op.route);
				const parameters: Record<string, unknown> = {
					'user create': { resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.name }}', role: 'user' },
					'user update': { resource: 'user', operation: 'update', userId: '={{ $json.userId }}', updateFields: { firstName: 'Updated' } },
					'user delete': { resource: 'user', operation: 'delete', userId: '={{ $json.userId }}' },
					'contact addToWorkflow': { resource: 'contact', operation: 'addToWorkflow', contactId: '={{ $json.contactId }}', workflowId: { __rl: true, mode: 'id', value: welcome() } },
					'contact addToWorkflow (re-entry)': { resource: 'contact', operation: 'addToWorkflow', contactId: '={{ $json.contactId }}', workflowId: { __rl: true, mode: 'id', value: reentry } },
					'course import': {
						resource: 'course',
						operation: 'import',
						productsJson: '={{ JSON.stringify([{ title: $json.id, description: "Fault matrix", categories: [{ title: "Week 1", visibility: "published", posts: [] }] }]) }}',
					},
				}[op.name]!;
				const r = await runNode({ type: 'n8n-nodes-rankr.emailApi', parameters, items, credentials: apiKeyCredentials(em), onError: 'continueErrorOutput' });
				expect(r.error).toBeUndefined();
				expect(r.serialized).not.toContain(PIT);
				const { perInput, lost, duplicated } = outcome(r.success, r.errors, ITEMS);
				let ok = 0;
				let failed = 0;
				let wrong = 0;
				let twice = 0;
				const allUsers = [...em.users.values()] as Array<{ id: string; email: string; firstName: string }>;
				perInput.forEach(([item], i) => {
					const mine = allUsers.filter((u) => u.email === input[i].email);
					if (mine.length > 1) twice++;
					const emails = em.emailsSent.filter((e: { contactId: string }) => e.contactId === seeded[i]?.contactId).length;
					if (emails > 1) twice++;
					const imports = em.courseImports.filter((c: { products: Array<{ title: string }> }) => c.products[0]?.title === input[i].id).length;
					if (imports > 1) twice++;
					const done = {
						'user create': mine.length === 1,
						'user update': mine[0]?.firstName === 'Updated',
						'user delete': mine.length === 0 || em.users.get(seeded[i]?.userId)?.deleted === true,
						'contact addToWorkflow': emails === 1,
						'contact addToWorkflow (re-entry)': emails === 1,
						'course import': imports === 1,
					}[op.name]!;
					if (isError(item)) {
						failed++;
						if (done && !SAYS_MAYBE_DONE.test(`${item.json.error} ${item.json.message}`)) wrong++;
					} else {
						ok++;
						if (!done) wrong++;
					}
				});
				cells.push({ op: `Email API ${op.name}`, fault: fault.name, in: ITEMS, ok, failed, lost: lost + wrong, duplicated: duplicated + twice });
				expect({ lost, duplicated, wrong, twice }).toEqual({ lost: 0, duplicated: 0, wrong: 0, twice: 0 });
			});
		}
	}
});
