// Harness: the n8n editor in a headless Chromium (canvas names, screenshots); for test/e2e/flows.e2e.mjs.
// The n8n editor in a headless Chromium (Debian's, through playwright-core: no browser download): log in as the
// owner, open each workflow, read the node names off the canvas, save a PNG screenshot. Every request the
// page makes outside loopback is blocked (and reported), so the screenshots never depend on the network.
import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT } from './n8n.mjs';
import { Failure, run } from './proc.mjs';

/** The names of a workflow's nodes as the canvas shows them: its sticky notes are drawn as notes, not nodes. */
export function canvasNodeNames(workflow) {
	return workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').map((n) => n.name);
}

const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	// Only loopback resolves: anything else the editor reaches for fails fast, offline or not. (Blocking with
	// Playwright's route() instead would turn off the HTTP cache and reload the editor's bundle every page.)
	'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];
const PAGE_TIMEOUT_MS = 30_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The Chromium to drive: scripts/install-chromium.sh installs Debian's package when it is missing. */
export async function ensureChromium() {
	const result = await run('bash', [path.join(ROOT, 'scripts', 'install-chromium.sh')], {
		env: process.env,
		cwd: ROOT,
		timeoutMs: 10 * 60_000,
		onStderr: (chunk) => process.stderr.write(chunk),
	});
	if (result.code !== 0) throw new Failure(`scripts/install-chromium.sh failed (exit ${result.code ?? result.signal}${result.timedOut ? ', timed out' : ''})`);
	return result.stdout.trim().split('\n').pop();
}

/** A page of a fresh headless Chromium (`contextOptions`: viewport, login), given to `use`; closed after. */
async function withPage(contextOptions, use) {
	const browser = await chromium.launch({ executablePath: await ensureChromium(), args: CHROMIUM_FLAGS, timeout: PAGE_TIMEOUT_MS });
	try {
		const context = await browser.newContext({ deviceScaleFactor: 1, ...contextOptions });
		context.setDefaultTimeout(PAGE_TIMEOUT_MS);
		return await use(await context.newPage());
	} finally {
		await browser.close();
	}
}

async function logIn(page, editorUrl, owner) {
	await page.goto(`${editorUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(owner.email);
	await page.locator('input[name="password"]').fill(owner.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	try {
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	} catch {
		throw new Failure(`could not log in to the editor at ${editorUrl} as ${owner.email}`);
	}
}

/** Reports every non-loopback URL the page tries into `outside` (they cannot resolve: see CHROMIUM_FLAGS). */
function watchOutside(page, outside) {
	page.on('request', (request) => {
		const url = new URL(request.url());
		if (/^https?:$/.test(url.protocol) && !LOOPBACK.has(url.hostname)) outside.add(`${url.origin}${url.pathname}`);
	});
}

/** The smallest rectangle around the canvas's nodes and sticky notes, with a margin, inside the viewport. */
async function canvasClip(page, margin = 40) {
	const boxes = await page.locator('.vue-flow__node').evaluateAll((elements) =>
		elements.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom })),
	);
	const viewport = page.viewportSize();
	if (boxes.length === 0 || !viewport) return undefined;
	const left = Math.max(0, Math.min(...boxes.map((b) => b.left)) - margin);
	const top = Math.max(0, Math.min(...boxes.map((b) => b.top)) - margin);
	const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.right)) + margin);
	const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.bottom)) + margin);
	return right > left && bottom > top ? { x: left, y: top, width: right - left, height: bottom - top } : undefined;
}

/**
 * Logs in at `editorUrl` and screenshots each workflow into `outDir/<name>.png`, cropped to its nodes.
 * @param {{editorUrl: string, owner: {email: string, password: string}, workflows: {name: string, workflow: any}[], outDir: string}} options
 * @returns {Promise<{shots: {name: string, file: string, canvasNodes: string[], error?: string}[], outside: string[]}>}
 *   canvasNodes: the node names the canvas shows (a screenshot is saved even when some are missing: error);
 *   outside: the non-loopback URLs the page tried (they cannot resolve)
 */
export async function screenshotWorkflows({ editorUrl, owner, workflows, outDir, log = () => {} }) {
	fs.mkdirSync(outDir, { recursive: true });
	const outside = new Set();
	return withPage({ viewport: { width: 1440, height: 900 } }, async (page) => {
		watchOutside(page, outside);
		let last = Date.now();
		const lap = (what) => {
			log(`${what} ${Date.now() - last} ms`);
			last = Date.now();
		};

		await logIn(page, editorUrl, owner);
		lap('login');

		const shots = [];
		for (const [index, { name, workflow }] of workflows.entries()) {
			const route = `/workflow/${encodeURIComponent(workflow.id)}`;
			if (index === 0) {
				await page.goto(`${editorUrl}${route}`);
			} else {
				// Inside the single-page app, as a click would: no reload of the editor for every workflow.
				await page.evaluate((to) => {
					window.history.pushState(window.history.state, '', to);
					window.dispatchEvent(new PopStateEvent('popstate', { state: window.history.state }));
				}, route);
			}
			const nodes = page.locator('[data-test-id="canvas-node"]');
			const names = canvasNodeNames(workflow);
			let error;
			try {
				await page.waitForFunction(
					(expected) => {
						const shown = new Set([...document.querySelectorAll('[data-test-id="canvas-node"]')].map((e) => e.getAttribute('data-node-name')));
						return expected.every((n) => shown.has(n)) && shown.size === expected.length;
					},
					names,
				);
			} catch {
				error = `the canvas did not show the workflow's ${names.length} nodes within ${PAGE_TIMEOUT_MS / 1000} s`;
			}
			// The "Production Checklist" of a published workflow covers part of the canvas: close it.
			const close = page.locator('[data-test-id="suggested-actions-close"]');
			if (await close.isVisible()) await close.click();
			const fit = page.locator('[data-test-id="zoom-to-fit"]');
			if (await fit.isVisible()) await fit.click();
			await page.evaluate(() => document.activeElement?.blur?.()); // no focus ring on the button
			await page.waitForTimeout(600); // the zoom animates
			const canvasNodes = await nodes.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-node-name') ?? e.textContent.trim()));
			const file = path.join(outDir, `${name}.png`);
			// Cropped to the flow, so that it is legible at GitHub's width, without the canvas's floating buttons.
			const controls = await page.addStyleTag({ content: '.vue-flow__panel { visibility: hidden !important; }' });
			await page.screenshot({ path: file, clip: await canvasClip(page) });
			await controls.evaluate((style) => style.remove());
			shots.push({ name, file, canvasNodes, error });
			lap(name);
		}
		return { shots, outside: [...outside] };
	});
}

/**
 * Screenshots what a builder fills in: a node's settings (the middle column of its details view, opened by a
 * double click on the canvas) and a credential's dialog. Saves `outDir/<file>.png` for each.
 * @param {{editorUrl: string, owner: {email: string, password: string}, outDir: string,
 *   nodes: {file: string, workflowId: string, nodeName: string}[], credentials: {file: string, id: string}[]}} options
 * @returns {Promise<{shots: {file: string, text: string, error?: string}[], outside: string[]}>} text: what the panel shows
 */
export async function screenshotSettings({ editorUrl, owner, outDir, nodes, credentials }) {
	fs.mkdirSync(outDir, { recursive: true });
	const outside = new Set();
	return withPage({ viewport: { width: 1440, height: 1300 } }, async (page) => {
		watchOutside(page, outside);
		await logIn(page, editorUrl, owner);
		const shots = [];
		const shoot = async (file, take) => {
			const target = path.join(outDir, `${file}.png`);
			try {
				shots.push({ file: target, text: await take(target) });
			} catch (error) {
				shots.push({ file: target, text: '', error: error.message.split('\n')[0] });
			}
		};
		for (const { file, workflowId, nodeName } of nodes) {
			await shoot(file, async (to) => {
				await page.goto(`${editorUrl}/workflow/${encodeURIComponent(workflowId)}`);
				const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName.replace(/"/g, '\\"')}"]`);
				await node.dblclick();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.locator('[data-test-id="node-parameters"]').waitFor();
				// A trigger's webhook URLs are what its builder copies first: show them.
				const urls = ndv.getByText('Webhook URLs', { exact: true });
				if (await urls.isVisible()) await urls.click();
				await page.waitForTimeout(600); // the panel animates open
				// The settings column only, from the panel's tabs down to its last field.
				const ndvBox = await ndv.boundingBox();
				const fields = await ndv.locator('[data-test-id="node-parameters"]').evaluate((element) => {
					const box = element.getBoundingClientRect();
					// each field, notice and the credential picker (not the panel's feedback footer at its foot)
					const parts = element.querySelectorAll('.parameter-item, [data-test-id="node-credentials-select"], [data-test-id="parameter-input"]');
					const bottoms = [...parts].filter((e) => e.getBoundingClientRect().height > 0).map((e) => e.getBoundingClientRect().bottom);
					return { left: box.left, right: box.right, bottom: Math.max(box.top, ...bottoms) };
				});
				const top = ndvBox.y;
				await page.screenshot({ path: to, clip: { x: Math.max(0, fields.left - 16), y: top, width: fields.right - fields.left + 32, height: Math.min(ndvBox.y + ndvBox.height, fields.bottom + 64) - top } });
				return shownText(ndv.locator('[data-test-id="node-parameters"]'));
			});
		}
		for (const { file, id } of credentials) {
			await shoot(file, async (to) => {
				await page.goto(`${editorUrl}/home/credentials/${encodeURIComponent(id)}`);
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
				await dialog.waitFor();
				await page.waitForTimeout(600);
				await page.evaluate(() => document.activeElement?.blur?.());
				// The whole modal (its title and tabs too), grown to show every field instead of scrolling.
				const modal = dialog.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " el-dialog ")][1]');
				await modal.evaluate((element) => {
					for (const e of [element, ...element.querySelectorAll('*')]) {
						if (e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'visible') Object.assign(e.style, { maxHeight: 'none', height: 'auto', overflowY: 'visible' });
					}
					Object.assign(element.style, { maxHeight: 'none', height: 'auto' });
				});
				// a modal is centred in the window: make the window tall enough for all of it
				const grown = await modal.boundingBox();
				const viewport = page.viewportSize();
				if (grown && viewport && grown.height + 80 > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.ceil(grown.height + 80) });
				await page.waitForTimeout(300);
				await modal.screenshot({ path: to });
				if (viewport) await page.setViewportSize(viewport);
				return shownText(dialog);
			});
		}
		return { shots, outside: [...outside] };
	});
}

/** The text a person sees in `locator`: its text, and the values of its fields (a password field's never). */
function shownText(locator) {
	return locator.evaluate((element) => {
		const fields = [...element.querySelectorAll('input, textarea')].filter((f) => f.type !== 'password' && f.type !== 'hidden');
		return [element.innerText, ...fields.map((f) => f.value)].join('\n');
	});
}

/**
 * Opens `url` in the browser as a person who typed `login` ({ username, password }) into its Basic Auth
 * prompt, and saves a screenshot to `file`. Returns the status and the page's visible text.
 */
export async function screenshotPage({ url, login, file }) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	return withPage({ viewport: { width: 1100, height: 760 }, httpCredentials: login }, async (page) => {
		const response = await page.goto(url);
		await page.screenshot({ path: file, fullPage: true });
		return { status: response?.status(), text: await page.innerText('body') };
	});
}
