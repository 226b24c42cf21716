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

/**
 * Logs in at `editorUrl` and screenshots each workflow into `outDir/<name>.png`.
 * @param {{editorUrl: string, owner: {email: string, password: string}, workflows: {name: string, workflow: any}[], outDir: string}} options
 * @returns {Promise<{shots: {name: string, file: string, canvasNodes: string[], error?: string}[], outside: string[]}>}
 *   canvasNodes: the node names the canvas shows (a screenshot is saved even when some are missing: error);
 *   outside: the non-loopback URLs the page tried (they cannot resolve)
 */
export async function screenshotWorkflows({ editorUrl, owner, workflows, outDir, log = () => {} }) {
	fs.mkdirSync(outDir, { recursive: true });
	const outside = new Set();
	return withPage({ viewport: { width: 1440, height: 900 } }, async (page) => {
		page.on('request', (request) => {
			const url = new URL(request.url());
			if (/^https?:$/.test(url.protocol) && !LOOPBACK.has(url.hostname)) outside.add(`${url.origin}${url.pathname}`);
		});
		let last = Date.now();
		const lap = (what) => {
			log(`${what} ${Date.now() - last} ms`);
			last = Date.now();
		};

		await page.goto(`${editorUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(owner.email);
		await page.locator('input[name="password"]').fill(owner.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		try {
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		} catch {
			throw new Failure(`could not log in to the editor at ${editorUrl} as ${owner.email}`);
		}
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
			await page.screenshot({ path: file });
			shots.push({ name, file, canvasNodes, error });
			lap(name);
		}
		return { shots, outside: [...outside] };
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
