// Jest (Email API): workflows, contacts (the enrolment that sends an email) and course import, through n8n's engine.
import { listSearch, runNode, testCredential } from '../../../scripts/engine/engine-runner';
import { apiKeyCredentials, expectRequestsMeetDocuments, startEmailApi } from '../../helpers/emailapi-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi(), expectRequestsMeetDocuments);

const NODE = 'n8n-nodes-rankr.emailApi';
const run = (parameters: Record<string, unknown>, items: Array<Record<string, unknown>> = [{}], extra: Partial<Parameters<typeof runNode>[0]> = {}) =>
	runNode({ type: NODE, parameters, items, credentials: apiKeyCredentials(sandbox), ...extra });

test('workflows come with workflowId and name; Limit applies', async () => {
	const all = await run({ resource: 'workflow', operation: 'getMany', returnAll: true });
	expect(all.success.map((i) => i.json.name).sort()).toEqual(['Rank Up Announcement', 'Re-engagement', 'Welcome']);
	const welcome = all.success.find((i) => i.json.name === 'Welcome')!.json;
	expect(welcome.workflowId).toBe(sandbox.seededWorkflowIds().welcome);
	expect(sandbox.requests()[0].query).toEqual({ locationId: sandbox.locationId });
	const one = await run({ resource: 'workflow', operation: 'getMany', returnAll: false, limit: 1 });
	expect(one.success).toHaveLength(1);
});

test('upsert a contact, enrol it in "Welcome": exactly one welcome email, even when enrolled twice', async () => {
	const upserted = await run(
		{ resource: 'contact', operation: 'upsert', email: '={{ $json.email }}', fullName: '={{ $json.name }}', additionalFields: { tags: 'rankr, signup', source: 'rankr' } },
		[{ email: 'grace@example.com', name: 'Grace Hopper' }],
	);
	expect(upserted.error).toBeUndefined();
	const contactId = upserted.success[0].json.contactId as string;
	expect(upserted.success[0].json).toMatchObject({ new: true, email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' });
	expect(JSON.parse(sandbox.requests('POST /contacts/upsert')[0].rawBody)).toEqual({
		locationId: sandbox.locationId,
		email: 'grace@example.com',
		firstName: 'Grace',
		lastName: 'Hopper',
		source: 'rankr',
		tags: ['rankr', 'signup'],
	});

	const again = await run({ resource: 'contact', operation: 'upsert', email: 'grace@example.com', fullName: 'Grace B. Hopper' });
	expect(again.success[0].json).toMatchObject({ new: false, contactId });

	const welcome = sandbox.seededWorkflowIds().welcome;
	const enrol = { resource: 'contact', operation: 'addToWorkflow', contactId, workflowId: { __rl: true, mode: 'list', value: welcome, cachedResultName: 'Welcome' } };
	const first = await run(enrol);
	expect(first.success[0].json).toEqual({ contactId, workflowId: welcome, enrolled: true });
	await run(enrol);
	expect(sandbox.emailsSent).toEqual([expect.objectContaining({ to: 'grace@example.com', workflowName: 'Welcome', contactId })]);

	const removed = await run({ resource: 'contact', operation: 'removeFromWorkflow', contactId, workflowId: { __rl: true, mode: 'id', value: welcome } });
	expect(removed.success[0].json).toEqual({ contactId, workflowId: welcome, removed: true });
	expect(sandbox.requests(`DELETE /contacts/${contactId}/workflow/${welcome}`)).toHaveLength(1);

	const deleted = await run({ resource: 'contact', operation: 'delete', contactId });
	expect(deleted.success[0].json).toEqual({ contactId, deleted: true });
	expect(sandbox.contacts.has(contactId)).toBe(false);
	const deletedAgain = await run({ resource: 'contact', operation: 'delete', contactId });
	expect(deletedAgain.success[0].json).toEqual({ contactId, deleted: true, alreadyDeleted: true });
});

test('an unknown workflow or contact is named in the error', async () => {
	const r = await run({ resource: 'contact', operation: 'addToWorkflow', contactId: 'nope', workflowId: { __rl: true, mode: 'id', value: 'missing-wf' } });
	expect(r.error?.message).toBe('The contact "nope" or the workflow "missing-wf" does not exist');
});

describe('the workflow picker By Name: the workflow is found by its name when the node runs', () => {
	const byName = (value: string) => ({ resource: 'contact', operation: 'addToWorkflow', contactId: '={{ $json.contactId }}', workflowId: { __rl: true, mode: 'name', value } });
	async function contacts(count: number) {
		const emails = Array.from({ length: count }, (_, i) => ({ email: `reader${i}@example.com` }));
		const upserted = await run({ resource: 'contact', operation: 'upsert', email: '={{ $json.email }}' }, emails);
		sandbox.clearLog();
		return upserted.success.map((i) => ({ contactId: i.json.contactId as string }));
	}

	test('three contacts enrolled in "Welcome" by name: its id, one list request for the run, a draft of the same name passed over', async () => {
		sandbox.addWorkflow({ name: 'Welcome', status: 'draft' });
		const items = await contacts(3);
		const r = await run(byName(' Welcome '), items, { onError: 'continueErrorOutput' });
		const welcome = sandbox.seededWorkflowIds().welcome;
		expect(r.errors).toHaveLength(0);
		expect(r.success.map((i) => i.json)).toEqual(items.map(({ contactId }) => ({ contactId, workflowId: welcome, enrolled: true })));
		expect(sandbox.requests('GET /workflows')).toHaveLength(1);
		expect(sandbox.requests('POST /contacts/').map((q: { path: string }) => q.path)).toEqual(items.map(({ contactId }) => `/contacts/${contactId}/workflow/${welcome}`));
		expect(sandbox.emailsSent.map((e: { workflowName: string }) => e.workflowName)).toEqual(['Welcome', 'Welcome', 'Welcome']);
	});

	test('no workflow of that name: each item fails saying so and what is there, nothing is enrolled', async () => {
		const items = await contacts(2);
		const r = await run(byName('Welcome!'), items, { onError: 'continueErrorOutput' });
		expect(r.success).toHaveLength(0);
		expect(r.errors.map((e) => e.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(r.errors[0].json.error).toBe(`No workflow is named "Welcome!" in location "${sandbox.locationId}" (item 1)`);
		expect(r.errors[0].json.message).toMatch(/Create a workflow with that name in HighLevel .* Workflows there: "Welcome", "Re-engagement", "Rank Up Announcement"\.$/);
		expect(sandbox.requests('POST /contacts/')).toHaveLength(0);
	});

	test('two published workflows of that name: the item fails naming both ids, nothing is enrolled', async () => {
		const twin = sandbox.addWorkflow({ name: 'Re-engagement' });
		const r = await run(byName('Re-engagement'), await contacts(1), { onError: 'continueErrorOutput' });
		expect(r.errors[0].json.error).toBe(`2 workflows are named "Re-engagement" ("${sandbox.seededWorkflowIds().reengagement}", "${twin.id}") (item 1)`);
		expect(sandbox.requests('POST /contacts/')).toHaveLength(0);
	});

	test('an empty or overlong name is refused before any request', async () => {
		const items = await contacts(1);
		const empty = await run(byName('  '), items, { onError: 'continueErrorOutput' });
		expect(empty.errors[0].json.error).toBe('"Workflow" is empty (item 1)');
		const long = await run(byName('W'.repeat(200_000)), items, { onError: 'continueErrorOutput' });
		expect(long.errors[0].json.error).toBe('"Workflow" (By Name) is 200000 characters long (item 1)');
		expect(sandbox.requests()).toHaveLength(0);
	});
});

test('a contact needs an email or a phone, checked before sending', async () => {
	const r = await run({ resource: 'contact', operation: 'upsert', email: '', fullName: 'No One' });
	expect(r.error?.message).toBe('The contact needs an email or a phone (item 1)');
	expect(sandbox.requests()).toHaveLength(0);
});

test('course import sends the products as the API defines them', async () => {
	const products = [{ title: 'Onboarding', description: 'Start here', categories: [{ title: 'Week 1', visibility: 'published', posts: [] }] }];
	const r = await run({ resource: 'course', operation: 'import', productsJson: JSON.stringify(products) });
	expect(r.error).toBeUndefined();
	expect(r.success[0].json).toMatchObject({ imported: true, products: 1, locationId: sandbox.locationId });
	expect(sandbox.courseImports).toHaveLength(1);

	const bad = await run({ resource: 'course', operation: 'import', productsJson: '[{"title":"x"}]' });
	expect(bad.error?.message).toBe('Course 1 in "Products (JSON)" lacks description, categories (item 1)');
});

test('the workflow picker lists the location\'s workflows by name and filters as the user types', async () => {
	const all = await listSearch(NODE, 'searchWorkflows', { resource: 'contact', operation: 'addToWorkflow', authentication: 'apiKey' }, apiKeyCredentials(sandbox));
	expect(all.results.map((r: { name: string }) => r.name)).toEqual(['Rank Up Announcement (draft)', 'Re-engagement', 'Welcome']);
	const filtered = await listSearch(NODE, 'searchWorkflows', { resource: 'contact', operation: 'addToWorkflow', authentication: 'apiKey' }, apiKeyCredentials(sandbox), 'welc');
	expect(filtered.results).toEqual([{ name: 'Welcome', value: sandbox.seededWorkflowIds().welcome }]);
});

test('credential test: a valid token passes, a wrong one is reported as rejected', async () => {
	const good = apiKeyCredentials(sandbox).emailApiKeyApi;
	await expect(testCredential('emailApiKeyApi', good)).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
	const bad = await testCredential('emailApiKeyApi', { ...good, token: 'pit-wrong-0000' });
	expect(bad.status).toBe('Error');
	expect(bad.message).toMatch(/rejected the token/);
});

test('get a contact: the contact itself with its tags; an unknown ID says no contact has it', async () => {
	const upserted = await run(
		{ resource: 'contact', operation: 'upsert', email: 'ada@example.com', fullName: 'Ada Lovelace', additionalFields: { tags: 'rankr, signup' } },
	);
	const contactId = upserted.success[0].json.contactId as string;
	const got = await run({ resource: 'contact', operation: 'get', contactId: '={{ $json.id }}' }, [{ id: contactId }]);
	expect(got.error).toBeUndefined();
	expect(got.success[0].json).toMatchObject({ id: contactId, email: 'ada@example.com', tags: ['rankr', 'signup'] });
	expect(sandbox.requests('GET /contacts/').map((q) => q.rawPath)).toEqual([`/contacts/${contactId}`]);
	const missing = await run({ resource: 'contact', operation: 'get', contactId: 'nope' });
	expect(missing.error?.message).toMatch(/No Email API contact has the ID "nope"/);
});
