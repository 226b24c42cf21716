// Jest (conformance): the Email API sandbox driven by HighLevel's official Node SDK.
// The Email API sandbox driven by HighLevel's official Node SDK (@gohighlevel/api-client, pinned), with the SDK's
// own defaults (Version 2023-02-21): the calls that work against HighLevel must work against the sandbox. Every
// Email API endpoint the package uses: users, contacts, workflows, course import, OAuth (code exchange, refresh);
// and the contact search (searchAfter paging), tags and a location's custom fields.
import { HighLevel } from '@gohighlevel/api-client';

import { PIT, startEmailApi } from '../helpers/emailapi-fixture';
import { sandboxPerFile } from '../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi());
/** A made-up sign-in for the sandbox's user create (which requires one). */
const ADA_SIGN_IN = 'ada-lovelace-1815-xq';
/** A made-up Marketplace app for the OAuth test. */
const OAUTH_APP = 'conformance-app';
const OAUTH_APP_KEY = 'conformance-dummy-client-secret-0001';
const REDIRECT = 'https://n8n.example.com/rest/oauth2-credential/callback';

/** The SDK as a user makes it, with only its base URL pointed at the sandbox. */
function client() {
	const ghl = new HighLevel({ privateIntegrationToken: PIT, logLevel: 'none' });
	ghl.getHttpClient().defaults.baseURL = sandbox.url!;
	return ghl;
}

describe("HighLevel's SDK against the sandbox, with the SDK's defaults", () => {
	test('users: create, get, update, list by location, search by email, delete', async () => {
		const ghl = client();
		const created = await ghl.users.createUser({
			companyId: sandbox.companyId,
			firstName: 'Ada',
			lastName: 'Lovelace',
			email: 'ada@example.com',
			password: ADA_SIGN_IN,
			type: 'account',
			role: 'user',
			locationIds: [sandbox.locationId],
		});
		expect(created).toMatchObject({ email: 'ada@example.com', firstName: 'Ada' });
		const id = (created as { id: string }).id;
		expect(await ghl.users.getUser({ userId: id })).toMatchObject({ id, email: 'ada@example.com' });
		expect(await ghl.users.updateUser({ userId: id }, { firstName: 'Augusta' })).toMatchObject({ id, firstName: 'Augusta' });
		const listed = (await ghl.users.getUserByLocation({ locationId: sandbox.locationId })) as { users: Array<{ id: string }> };
		expect(listed.users.map((u) => u.id)).toContain(id);
		// what Create does first to find an existing user by email (the package's GET /users/search)
		const found = (await ghl.users.searchUsers({ companyId: sandbox.companyId, query: 'ada@example.com', limit: '25' })) as { users: Array<{ id: string }>; count: number };
		expect(found.users.map((u) => u.id)).toEqual([id]);
		expect(await ghl.users.deleteUser({ userId: id })).toMatchObject({ succeded: true });
		expect(sandbox.users.get(id)?.deleted).toBe(true); // HighLevel keeps deleted users, marked
		await expect(ghl.users.getUser({ userId: id })).rejects.toMatchObject({ statusCode: 400, message: 'User not found' }); // the documents give 400 for an unknown id
		// What the SDK sent: its default Version on every call, accepted as HighLevel accepts it.
		expect(new Set(sandbox.requests().map((r: { headers: Record<string, string> }) => r.headers.version))).toEqual(new Set(['2023-02-21']));
	});

	test('contacts and workflows: upsert, get, list workflows, add to and remove from a workflow, delete', async () => {
		const ghl = client();
		const upserted = (await ghl.contacts.upsertContact({ locationId: sandbox.locationId, email: 'grace@example.com', firstName: 'Grace' })) as { contact: { id: string } };
		const contactId = upserted.contact.id;
		expect(await ghl.contacts.getContact({ contactId })).toMatchObject({ contact: { id: contactId, email: 'grace@example.com' } });
		const { workflows } = (await ghl.workflows.getWorkflow({ locationId: sandbox.locationId })) as { workflows: Array<{ id: string; name: string }> };
		const welcome = workflows.find((w) => w.name === 'Welcome');
		expect(welcome).toBeDefined();
		await ghl.contacts.addContactToWorkflow({ contactId, workflowId: welcome!.id }, {});
		expect(sandbox.enrolments.map((e: { contactId: string }) => e.contactId)).toEqual([contactId]);
		await ghl.contacts.deleteContactFromWorkflow({ contactId, workflowId: welcome!.id }, {});
		expect(sandbox.enrolments).toEqual([]);
		expect(await ghl.contacts.deleteContact({ contactId })).toMatchObject({ succeded: true });
		expect(sandbox.contacts.size).toBe(0);
	});

	test('contacts search: searchContactsAdvanced pages by searchAfter, every contact once', async () => {
		const ghl = client();
		sandbox.seedContacts({ count: 1234 });
		const seen = new Set<string>();
		let searchAfter: unknown;
		let total = Infinity;
		while (seen.size < total) {
			const page = (await ghl.contacts.searchContactsAdvanced({ locationId: sandbox.locationId, pageLimit: 500, ...(searchAfter ? { searchAfter } : {}) })) as {
				contacts: Array<{ id: string; searchAfter: unknown[] }>;
				total: number;
			};
			total = page.total;
			for (const c of page.contacts) seen.add(c.id);
			searchAfter = page.contacts.at(-1)!.searchAfter;
		}
		expect(seen.size).toBe(1234);
		expect(sandbox.requests('POST /contacts/search')).toHaveLength(3);
		// standard paging past 10,000 records is refused as a 400, which the SDK raises
		await expect(ghl.contacts.searchContactsAdvanced({ locationId: sandbox.locationId, pageLimit: 500, page: 21 })).rejects.toMatchObject({ statusCode: 400 });
	});

	test('tags: addTags and removeTags, idempotent', async () => {
		const ghl = client();
		const { contact } = (await ghl.contacts.upsertContact({ locationId: sandbox.locationId, email: 'grace@example.com', tags: ['rankr'] })) as { contact: { id: string } };
		expect(await ghl.contacts.addTags({ contactId: contact.id }, { tags: ['VIP', 'rankr'] })).toEqual({ tags: ['rankr', 'vip'] });
		expect(await ghl.contacts.addTags({ contactId: contact.id }, { tags: ['vip'] })).toEqual({ tags: ['rankr', 'vip'] });
		expect(await ghl.contacts.removeTags({ contactId: contact.id }, { tags: ['rankr', 'never-had'] })).toEqual({ tags: ['vip'] });
		expect(sandbox.requests('DELETE /contacts').map((r: { rawBody: string }) => JSON.parse(r.rawBody))).toEqual([{ tags: ['rankr', 'never-had'] }]);
		await expect(ghl.contacts.addTags({ contactId: 'AAAAAAAAAAAAAAAAAAAA' }, { tags: ['vip'] })).rejects.toMatchObject({ statusCode: 400, message: 'Contact not found' });
	});

	test('contacts: updateContact changes only the fields sent, custom fields by ID', async () => {
		const [plan] = sandbox.defineCustomFields({ fields: [{ name: 'Plan', dataType: 'SINGLE_OPTIONS', options: ['Free', 'Pro'] }] });
		const ghl = client();
		const { contact } = (await ghl.contacts.upsertContact({ locationId: sandbox.locationId, email: 'grace@example.com', firstName: 'Grace' })) as { contact: { id: string } };
		const updated = (await ghl.contacts.updateContact({ contactId: contact.id }, { lastName: 'Hopper', customFields: [{ id: plan.id, field_value: 'Pro' }] })) as {
			contact: { firstName: string; lastName: string; customFields: unknown[] };
		};
		expect(updated.contact).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', customFields: [{ id: plan.id, value: 'Pro' }] });
	});

	test("custom fields: getCustomFields lists the location's, and an upsert's customFields land on the contact", async () => {
		const [rank] = sandbox.defineCustomFields({ fields: [{ name: 'Rank', dataType: 'NUMERICAL' }, { name: 'Plan', dataType: 'SINGLE_OPTIONS', options: ['free', 'pro'] }] });
		// a token with the scope the route needs (the package's own token has no locations/* scope)
		const ghl = new HighLevel({ privateIntegrationToken: sandbox.issueToken(['locations/customFields.readonly', 'contacts.write']), logLevel: 'none' });
		ghl.getHttpClient().defaults.baseURL = sandbox.url!;
		const { customFields } = (await ghl.locations.getCustomFields({ locationId: sandbox.locationId, model: 'contact' })) as { customFields: Array<{ id: string; fieldKey: string; dataType: string }> };
		expect(customFields.map((f) => [f.fieldKey, f.dataType])).toEqual([
			['contact.rank', 'NUMERICAL'],
			['contact.plan', 'SINGLE_OPTIONS'],
		]);
		const upserted = (await ghl.contacts.upsertContact({
			locationId: sandbox.locationId,
			email: 'ada@example.com',
			customFields: [
				{ id: rank.id, field_value: '7' },
				{ id: customFields[1].id, field_value: 'pro' },
			],
		})) as { contact: { customFields: unknown[] } };
		expect(upserted.contact.customFields).toEqual([
			{ id: rank.id, value: '7' },
			{ id: customFields[1].id, value: 'pro' },
		]);
	});

	test('courses: import a product', async () => {
		const ghl = client();
		await ghl.courses.importCourses({
			locationId: sandbox.locationId,
			products: [{ title: 'Onboarding', description: 'First steps', categories: [{ title: 'Week 1', visibility: 'published', posts: [] }] }],
		});
		const imports = sandbox.requests().filter((r: { path: string }) => r.path === '/courses/courses-exporter/public/import');
		expect(imports.map((r: { status?: number }) => r.status)).toEqual([201]);
	});

	test("OAuth: the SDK's client exchanges an authorization code and refreshes, and the token works", async () => {
		const ghl = client();
		sandbox.addOAuthClient(OAUTH_APP, { clientSecret: OAUTH_APP_KEY, scopes: ['users.readonly', 'users.write'], redirectUris: [REDIRECT] });
		const code = sandbox.issueAuthCode(OAUTH_APP, undefined, { redirectUri: REDIRECT });
		const exchanged = (await ghl.oauth.getAccessToken({ client_id: OAUTH_APP, client_secret: OAUTH_APP_KEY, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, user_type: 'Location' })) as unknown as Record<string, string>;
		expect(exchanged).toMatchObject({ token_type: 'Bearer', locationId: sandbox.locationId });
		const refreshed = (await ghl.oauth.refreshToken(exchanged.refresh_token, OAUTH_APP, OAUTH_APP_KEY, 'refresh_token', 'Location')) as unknown as Record<string, string>;
		expect(refreshed.access_token).toBeTruthy();
		expect(refreshed.access_token).not.toBe(exchanged.access_token);
		// the refreshed token reaches the API through an SDK client made with it, with the SDK's default Version
		const app = new HighLevel({ clientId: OAUTH_APP, clientSecret: OAUTH_APP_KEY, locationAccessToken: refreshed.access_token, logLevel: 'none' });
		app.getHttpClient().defaults.baseURL = sandbox.url!;
		const listed = (await app.users.getUserByLocation({ locationId: sandbox.locationId })) as { users: unknown[] };
		expect(Array.isArray(listed.users)).toBe(true);
		expect(sandbox.requests().at(-1).headers.authorization).toBe(`Bearer ${refreshed.access_token}`);
	});
});
