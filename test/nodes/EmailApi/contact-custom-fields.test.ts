// Jest (Email API): a contact's custom fields by name — the picker, values checked against each field's type,
// the output by name — through n8n's engine against the sandbox.
import { listSearch, runNode } from '../../../scripts/engine/engine-runner';
import { apiKeyCredentials, expectRequestsMeetDocuments, startEmailApi } from '../../helpers/emailapi-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi(), expectRequestsMeetDocuments);

const NODE = 'n8n-nodes-rankr.emailApi';
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}], extra: Partial<Parameters<typeof runNode>[0]> = {}) =>
	runNode({ type: NODE, parameters: { resource: 'contact', operation: 'upsert', email: '={{ $json.email }}', ...parameters }, items, credentials: apiKeyCredentials(sandbox), ...extra });

type Field = { id: string; name: string; fieldKey: string };
let fields: Record<string, Field>;

beforeEach(() => {
	const made: Field[] = sandbox.defineCustomFields({
		fields: [
			{ name: 'Last Re-engaged', dataType: 'DATE' },
			{ name: 'Lifetime Value', dataType: 'MONETORY' },
			{ name: 'Plan', dataType: 'SINGLE_OPTIONS', options: ['Free', 'Pro', 'Team'] },
			{ name: 'Interests', dataType: 'MULTIPLE_OPTIONS', options: ['Chess', 'Go', 'Poker'] },
			{ name: 'Nickname', dataType: 'TEXT' },
		],
	});
	fields = Object.fromEntries(made.map((f) => [f.name, f]));
	sandbox.clearLog();
});

const byList = (name: string, value: unknown) => ({ field: { __rl: true, mode: 'list', value: fields[name].id }, value });
const customFields = (...entries: unknown[]) => ({ customFields: { field: entries } });
const upserts = (): Array<Record<string, unknown>> =>
	sandbox
		.requests()
		.filter((q: { method: string; path: string }) => q.method === 'POST' && q.path === '/contacts/upsert')
		.map((q: { rawBody: string }) => JSON.parse(q.rawBody));

test('the picker lists the location\'s custom fields by name, with their type, and filters as the user types', async () => {
	const all = await listSearch(NODE, 'searchCustomFields', { resource: 'contact', operation: 'upsert', authentication: 'apiKey' }, apiKeyCredentials(sandbox));
	expect(all.results.map((r: { name: string }) => r.name)).toEqual(['Interests (Multiple Options)', 'Last Re-engaged (Date)', 'Lifetime Value (Money)', 'Nickname (Text)', 'Plan (Dropdown)']);
	const some = await listSearch(NODE, 'searchCustomFields', { resource: 'contact', operation: 'upsert', authentication: 'apiKey' }, apiKeyCredentials(sandbox), 'plan');
	expect(some.results).toEqual([{ name: 'Plan (Dropdown)', value: fields.Plan.id }]);
});

test('values are sent as each type wants them, and the output names them by field', async () => {
	const r = await run(
		customFields(
			byList('Last Re-engaged', '2026-12-06T01:00:00+02:00'),
			byList('Lifetime Value', '19.99'),
			byList('Plan', 'pro'),
			byList('Interests', 'go, chess, go'),
			{ field: { __rl: true, mode: 'key', value: '{{ contact.nickname }}' }, value: 'Ada' },
		),
		[{ email: 'fields@example.com' }],
	);
	expect(r.error).toBeUndefined();
	const [body] = upserts();
	expect(body.customFields).toEqual([
		{ id: fields['Last Re-engaged'].id, field_value: '2026-12-06' },
		{ id: fields['Lifetime Value'].id, field_value: '19.99' },
		{ id: fields.Plan.id, field_value: 'Pro' },
		{ id: fields.Interests.id, field_value: ['Go', 'Chess'] },
		{ id: fields.Nickname.id, field_value: 'Ada' },
	]);
	expect(r.success[0].json.customFieldsByName).toMatchObject({ 'Last Re-engaged': '2026-12-06', Plan: 'Pro', Nickname: 'Ada', Interests: ['Go', 'Chess'] });
	// The fields are read once for the run, not once per item.
	expect(sandbox.requests().filter((q: { path: string }) => q.path.endsWith('/customFields'))).toHaveLength(1);
});

test('the fields are read once per run, whatever the number of items', async () => {
	const r = await run(customFields(byList('Nickname', '={{ $json.nick }}')), [
		{ email: 'a@example.com', nick: 'A' },
		{ email: 'b@example.com', nick: 'B' },
		{ email: 'c@example.com', nick: 'C' },
	]);
	expect(r.success).toHaveLength(3);
	expect(sandbox.requests().filter((q: { path: string }) => q.path.endsWith('/customFields'))).toHaveLength(1);
});

describe('bad custom field input fails the item before the contact is written', () => {
	test.each([
		['a number field given words', () => byList('Lifetime Value', 'lots'), '"lots" is not a number, for the custom field "Lifetime Value" (Money) (item 1)'],
		['a date field given no date', () => byList('Last Re-engaged', 'soon'), '"soon" is not a date, for the custom field "Last Re-engaged" (Date) (item 1)'],
		['an option that is not one', () => byList('Plan', 'Enterprise'), '"Enterprise" is not an option of the custom field "Plan" (Dropdown) (item 1)'],
		['an unknown field by key', () => ({ field: { __rl: true, mode: 'key', value: 'contact.shoe_size' }, value: '42' }), 'No contact custom field "contact.shoe_size" in this location (item 1)'],
		['a 1 MB value', () => byList('Nickname', 'x'.repeat(1_000_000)), 'A custom field value of 1000000 characters (item 1)'],
	])('%s', async (_label, entry, message) => {
		const r = await run(customFields(entry()), [{ email: 'bad@example.com' }]);
		expect(r.error?.message).toBe(message);
		expect(upserts()).toHaveLength(0);
		expect(sandbox.contacts.size).toBe(0);
	});

	test('an unknown field names the fields that exist', async () => {
		const r = await run(customFields({ field: { __rl: true, mode: 'id', value: 'nope' }, value: '1' }), [{ email: 'bad@example.com' }]);
		expect(r.error?.description).toContain("The location's custom fields: Last Re-engaged (Date), Lifetime Value (Money), Plan (Dropdown), Interests (Multiple Options), Nickname (Text).");
	});

	test('with Continue (using error output), only the item with the bad value fails', async () => {
		const r = await run(customFields(byList('Lifetime Value', '={{ $json.value }}')), [
			{ email: 'ok1@example.com', value: '10' },
			{ email: 'bad@example.com', value: 'ten' },
			{ email: 'ok2@example.com', value: '30' },
		], { onError: 'continueErrorOutput' });
		expect(r.success.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(r.errors.map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
		expect(upserts()).toHaveLength(2);
	});
});

describe('Contact → Update', () => {
	const update = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}]) =>
		runNode({ type: NODE, parameters: { resource: 'contact', operation: 'update', ...parameters }, items, credentials: apiKeyCredentials(sandbox) });

	test('sends only the fields given, with custom fields by name, and answers the contact with them by name', async () => {
		const made = await run({}, [{ email: 'update-me@example.com' }]);
		const contactId = made.success[0].json.contactId as string;
		sandbox.clearLog();
		const r = await update({ contactId, updateFields: { firstName: 'Grace' }, ...customFields(byList('Plan', 'team'), byList('Last Re-engaged', '2026-12-06')) });
		expect(r.error).toBeUndefined();
		const put = sandbox.requests().find((q: { method: string }) => q.method === 'PUT');
		expect(JSON.parse(put.rawBody)).toEqual({
			firstName: 'Grace',
			customFields: [
				{ id: fields.Plan.id, field_value: 'Team' },
				{ id: fields['Last Re-engaged'].id, field_value: '2026-12-06' },
			],
		});
		expect(r.success[0].json).toMatchObject({ contactId, firstName: 'Grace', customFieldsByName: { Plan: 'Team', 'Last Re-engaged': '2026-12-06' } });
	});

	test('nothing to update, or an unknown contact, fails the item', async () => {
		const nothing = await update({ contactId: 'abc', updateFields: {} });
		expect(nothing.error?.message).toBe('Nothing to update (item 1)');
		expect(sandbox.requests()).toHaveLength(0);
		const unknown = await update({ contactId: 'no-such-contact', updateFields: { firstName: 'X' } });
		expect(unknown.error?.message).toBe('No Email API contact has the ID "no-such-contact"');
	});
});

test('Contact → Get adds the custom fields by name when asked, reading the fields once', async () => {
	const made = await run(customFields(byList('Nickname', 'Amazing Grace')), [{ email: 'get-me@example.com' }]);
	const contactId = made.success[0].json.contactId as string;
	sandbox.clearLog();
	const plain = await runNode({ type: NODE, parameters: { resource: 'contact', operation: 'get', contactId }, items: [{}], credentials: apiKeyCredentials(sandbox) });
	expect(plain.success[0].json).not.toHaveProperty('customFieldsByName');
	expect(sandbox.requests()).toHaveLength(1);
	const named = await runNode({ type: NODE, parameters: { resource: 'contact', operation: 'get', contactId, customFieldsByName: true }, items: [{}, {}], credentials: apiKeyCredentials(sandbox) });
	expect(named.success.map((i) => i.json.customFieldsByName)).toEqual([{ Nickname: 'Amazing Grace' }, { Nickname: 'Amazing Grace' }]);
	expect(sandbox.requests().filter((q: { path: string }) => q.path.endsWith('/customFields'))).toHaveLength(1);
});
