// Page object for one persona's Playground tab: send text, wait for bot messages and cards, work
// card inputs and buttons, take screenshots. Selectors are the Playground 0.2.28 UI's (see
// shared/spec/playground.md); keep them here so a UI change is fixed in one place.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BOT_NAME } from './playground-config.mjs';

const COMPOSER = 'div[role=textbox][contenteditable=true]';
const MESSAGE = 'div:has(> [aria-label="Message header"])';
const CARD = '.ac-adaptiveCard';
const CONTROLS = 'input, textarea, select';
const DEFAULT_TIMEOUT = Number(process.env.E2E_WAIT_MS || 20000);

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const show = (t) => (typeof t === 'string' ? `"${t}"` : String(t));
const truthy = (v) => v === true || /^(true|1|yes|on)$/i.test(String(v));

/** Walks a card JSON and yields every input element (body, containers, columns, ShowCard cards). */
function* inputsOf(node) {
  if (Array.isArray(node)) {
    for (const x of node) yield* inputsOf(x);
  } else if (node && typeof node === 'object') {
    if (typeof node.type === 'string' && node.type.startsWith('Input.')) yield node;
    for (const v of Object.values(node)) if (v && typeof v === 'object') yield* inputsOf(v);
  }
}

/** The text block with the largest type in `card`: what a reader sees as the headline value (a revealed pass). */
export async function largestText(card) {
  const blocks = card.locator('.ac-textBlock');
  const index = await card.evaluate((el) => {
    const sizes = [...el.querySelectorAll('.ac-textBlock')].map((b) => parseFloat(getComputedStyle(b).fontSize) || 0);
    return sizes.indexOf(Math.max(...sizes));
  });
  return blocks.nth(index);
}

export class TeamsChat {
  /**
   * Opens the persona's Playground in a fresh browser context: the page load installs the app,
   * so the bot gets installationUpdate + conversationUpdate as in a first Teams open.
   * `shots` is a directory for screenshots (tests/e2e/artifacts/<test>).
   */
  static async open(browserContext, playground, { shots, botName = BOT_NAME } = {}) {
    const page = await browserContext.newPage();
    const chat = new TeamsChat(page, playground, { shots, botName });
    page.on('websocket', (ws) => ws.on('framereceived', (f) => chat.#record(f.payload)));
    await page.goto(playground.url);
    await page.locator(COMPOSER).last().waitFor({ timeout: DEFAULT_TIMEOUT * 2 });
    return chat;
  }

  constructor(page, playground, { shots, botName }) {
    this.page = page;
    this.playground = playground;
    this.persona = playground.persona;
    this.botName = botName;
    this.shots = shots;
    this.timeouts = 0;
    this.cardJson = []; // every card the Playground pushed to this tab, newest last
    this.frames = []; // every text frame the Playground pushed to this tab (what its client received)
    this.masks = new Set(); // locators hidden in every screenshot (e.g. a card while it shows a pass)
  }

  // Cards arrive over the Playground's conversation websocket as createMessage/updateMessage; the
  // JSON lets fillCardInput find an input by its card id, which the rendered DOM does not carry.
  #record(payload) {
    if (typeof payload !== 'string') return;
    this.frames.push(payload);
    if (!payload.includes('application/vnd.microsoft.card.adaptive')) return;
    try {
      const msg = JSON.parse(payload);
      for (const a of msg?.message?.attachments ?? []) {
        if (a.contentType === 'application/vnd.microsoft.card.adaptive' && a.content) this.cardJson.push(a.content);
      }
    } catch {
      /* not a conversation frame */
    }
  }

  // Waits for `locator`; on timeout saves a screenshot and fails with a short, readable message.
  async #until(locator, timeout, what) {
    try {
      await locator.waitFor({ timeout });
    } catch (err) {
      if (err?.name !== 'TimeoutError') throw err;
      const shot = await this.screenshot(`timeout-${++this.timeouts}`).catch(() => null);
      throw new Error(`${this.persona.user.name}: waited ${timeout / 1000} s for ${what}${shot ? ` (screenshot: ${shot})` : ''}`);
    }
  }

  // ---- locating -------------------------------------------------------------------------------

  messages() {
    return this.page.locator(MESSAGE);
  }

  botMessages() {
    const author = this.page.locator('[aria-label="Message author"]', { hasText: new RegExp(`^\\s*${escapeRegExp(this.botName)}\\s*$`) });
    return this.messages().filter({ has: author });
  }

  /** Message bodies (without the author/time header) of the bot's messages. */
  botMessageBodies() {
    return this.botMessages().locator(':scope > :not([aria-label="Message header"])');
  }

  /** Top-level cards in bot messages, oldest first (ShowCard sub-cards are inside these). */
  cards() {
    return this.botMessageBodies().locator(`${CARD}:not(${CARD} ${CARD})`);
  }

  lastCard() {
    return this.cards().last();
  }

  // ---- acting ---------------------------------------------------------------------------------

  async openPersonalChat() {
    await this.page.locator('[role=treeitem][aria-label="Personal Chat"]').click();
    await this.page.locator(COMPOSER).last().waitFor();
  }

  /** Types `text` in the composer as this persona and sends it; resolves once it shows in the chat. */
  async sendText(text) {
    const mine = this.messages().filter({ hasNot: this.page.locator('[aria-label="Message author"]') }).filter({ hasText: text });
    const before = await mine.count();
    const box = this.page.locator(COMPOSER).last();
    await box.click();
    await box.pressSequentially(text);
    await box.press('Enter');
    await this.page.waitForFunction(
      ([sel, t, n]) => [...document.querySelectorAll(sel)].filter((m) => !m.querySelector('[aria-label="Message author"]') && m.textContent.includes(t)).length > n,
      [MESSAGE, text, before],
      { timeout: DEFAULT_TIMEOUT },
    );
  }

  /** Waits for a bot message (text or card) whose body contains `text` (string or RegExp); returns it. */
  async waitForBotText(text, { timeout = DEFAULT_TIMEOUT } = {}) {
    const hit = this.botMessageBodies().filter({ hasText: text }).last();
    await this.#until(hit, timeout, `a bot message containing ${show(text)}`);
    return hit;
  }

  /** Resolves once no message has been added or changed for `quietMs` (e.g. after install events). */
  async waitForQuiet({ quietMs = 1500, timeout = DEFAULT_TIMEOUT } = {}) {
    const deadline = Date.now() + timeout;
    let last = null;
    let since = Date.now();
    while (Date.now() < deadline) {
      const now = await this.page.locator('body').innerText().catch(() => '');
      const shape = `${await this.messages().count()}|${now.length}`;
      if (shape !== last) {
        last = shape;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) {
        return;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`the chat of ${this.persona.user.name} did not settle within ${timeout} ms`);
  }

  /** How many bot cards contain `text` right now. */
  async countCards(text) {
    return this.cards().filter({ hasText: text }).count();
  }

  /**
   * Waits for a bot card containing `text` and returns a locator pinned to that card's position,
   * so it keeps pointing at the same card after the card is updated in place. With `after: n` it
   * waits for the (n+1)th such card, i.e. a new one since `countCards` said n.
   */
  async waitForCard(text, { timeout = DEFAULT_TIMEOUT, after = 0 } = {}) {
    const matching = this.cards().filter({ hasText: text });
    await this.#until(matching.nth(after), timeout, after ? `a new bot card containing ${show(text)} (had ${after})` : `a bot card containing ${show(text)}`);
    const all = this.cards();
    for (let i = (await all.count()) - 1; i >= 0; i--) {
      const card = all.nth(i);
      const content = await card.innerText();
      if (typeof text === 'string' ? content.includes(text) : text.test(content)) return card;
    }
    throw new Error(`card with ${text} vanished while it was located`);
  }

  /** Waits until `card` (a pinned locator) contains `text`, e.g. after an in-place update. */
  async waitForCardText(card, text, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.#until(card.filter({ hasText: text }), timeout, `the card to show ${show(text)}`);
    return card;
  }

  /** Clicks the card button titled `name` (exact) in `card`, the last card by default. */
  async clickCardButton(name, { card = this.lastCard(), timeout = DEFAULT_TIMEOUT } = {}) {
    const button = card.getByRole('button', { name, exact: true });
    await button.click({ timeout });
  }

  /**
   * Fills a card input found by its label, placeholder or card input id (from the card JSON).
   * Handles the Playground's Fluent controls: text/number/textarea, ChoiceSet combobox (value
   * may be the choice title or value), date picker, toggle (truthy/falsy), expanded ChoiceSet, and
   * expanded multi-select ChoiceSet (value: a list of choice values or titles; the rest is unchecked).
   */
  async fillCardInput(target, value, { card = this.lastCard(), timeout = DEFAULT_TIMEOUT } = {}) {
    const json = [...this.cardJson].reverse().flatMap((c) => [...inputsOf(c)]).find((i) => i.id === target);
    if (json?.isMultiSelect) return this.#pickChoices(card, json, value, timeout);
    const names = json ? [json.label, json.title, json.placeholder].filter(Boolean) : [target];
    const controls = card.locator(CONTROLS);

    let control = null;
    for (const name of names) {
      for (const candidate of [
        card.getByLabel(name, { exact: true }).and(controls),
        card.getByPlaceholder(name, { exact: true }).and(controls),
        card.getByLabel(name).and(controls),
      ]) {
        if ((await candidate.count()) > 0) {
          control = candidate.first();
          break;
        }
      }
      if (control) break;
      const group = card.getByRole('radiogroup', { name });
      if ((await group.count()) > 0) {
        const title = json?.choices?.find((c) => c.value === String(value))?.title ?? String(value);
        await group.getByRole('radio', { name: title, exact: true }).check({ timeout });
        return;
      }
    }
    if (!control) {
      const known = await card.locator('label').allInnerTexts();
      throw new Error(`no card input "${target}" (labels in the card: ${known.join(' | ') || 'none'})`);
    }

    const kind = await control.evaluate((el) => ({ tag: el.tagName, type: el.type, role: el.getAttribute('role'), popup: el.getAttribute('aria-haspopup') }));
    if (kind.type === 'checkbox' || kind.type === 'radio') {
      await control.setChecked(truthy(value), { timeout });
    } else if (kind.tag === 'SELECT') {
      await control.selectOption({ label: String(value) }).catch(() => control.selectOption(String(value)));
    } else if (kind.role === 'combobox' && kind.popup === 'dialog') {
      // Fluent date picker: type the date, then close the calendar popup so it covers nothing.
      await control.fill(String(value), { timeout });
      await control.press('Tab');
      await this.page.keyboard.press('Escape');
    } else if (kind.role === 'combobox') {
      const title = json?.choices?.find((c) => c.value === String(value))?.title ?? String(value);
      await control.click({ timeout });
      await this.page.getByRole('option', { name: title, exact: true }).click({ timeout });
    } else {
      await control.fill(String(value), { timeout });
    }
  }

  // A multi-select ChoiceSet in the expanded style renders one checkbox per choice, named by the choice's title:
  // `value` (a list, or values separated by commas; choice values or titles) is checked, every other choice unchecked.
  async #pickChoices(card, json, value, timeout) {
    const wanted = new Set((Array.isArray(value) ? value : String(value).split(',')).map((v) => String(v).trim()).filter(Boolean));
    const choices = json.choices ?? [];
    const unknown = [...wanted].filter((w) => !choices.some((c) => c.value === w || c.title === w));
    if (unknown.length) throw new Error(`"${json.id}" offers no choice ${unknown.map(show).join(', ')}`);
    for (const choice of choices) {
      const box = card.getByRole('checkbox', { name: choice.title });
      if ((await box.count()) !== 1) throw new Error(`"${json.id}": no single checkbox for the choice ${show(choice.title)} (is the ChoiceSet expanded?)`);
      await box.setChecked(wanted.has(choice.value) || wanted.has(choice.title), { timeout });
    }
  }

  /**
   * The inputs (JSON elements) of the newest card pushed to this tab whose JSON mentions `text`,
   * e.g. to find the id of a field before filling it.
   */
  cardInputs(text) {
    const card = [...this.cardJson].reverse().find((c) => JSON.stringify(c).includes(text));
    return card ? [...inputsOf(card)] : [];
  }

  /** Titles of the buttons `card` offers right now (ShowCard sub-cards included once opened). */
  async cardButtons(card = this.lastCard()) {
    return (await card.getByRole('button').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }

  /**
   * Whether `secret` shows anywhere in this tab: the rendered page (text and markup, hidden parts
   * included) or any frame the Playground pushed to it. Answers a boolean so the secret itself
   * never lands in an assertion message.
   */
  async exposes(secret) {
    const html = await this.page.content();
    const text = await this.page.locator('body').innerText();
    return html.includes(secret) || text.includes(secret) || this.frames.some((f) => f.includes(secret));
  }

  /** Visible text of `card` (the last card by default). */
  async cardText(card = this.lastCard()) {
    return (await card.innerText()).trim();
  }

  async lastCardText() {
    return this.cardText(this.lastCard());
  }

  /**
   * Saves a full-page screenshot to <shots>/<step>.png; `mask` hides locators (e.g. a revealed
   * pass), on top of those registered with `maskAlways` (which also cover timeout screenshots).
   */
  async screenshot(step, { mask = [] } = {}) {
    if (!this.shots) return null;
    mkdirSync(this.shots, { recursive: true });
    const path = join(this.shots, `${step}.png`);
    await this.page.screenshot({ path, fullPage: true, mask: [...this.masks, ...mask] });
    return path;
  }

  /** Hides `locator` in every screenshot of this tab until `unmask(locator)`. */
  maskAlways(locator) {
    this.masks.add(locator);
  }

  unmask(locator) {
    this.masks.delete(locator);
  }

  async close() {
    await this.page.close().catch(() => {});
  }
}
