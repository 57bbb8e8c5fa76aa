/**
 * A JSX factory that builds real DOM nodes. Children that are strings become text nodes, so nothing
 * is ever parsed as HTML; attributes are set one by one (event handlers as properties).
 */
export type Child = Node | string | number | false | null | undefined | Child[];
type Props = Record<string, unknown> | null;

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'path', 'circle', 'rect', 'g', 'line', 'polyline']);

export function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

export function h(
  tag: string | ((props: Record<string, unknown>) => Node),
  props: Props,
  ...children: Child[]
): Node {
  if (typeof tag === 'function') return tag({ ...(props ?? {}), children });
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'ref' && typeof value === 'function') {
      (value as (node: Element) => void)(el);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    } else if (key === 'class') {
      el.setAttribute('class', String(value));
    } else if (key === 'href' || key === 'src' || key === 'action' || key === 'formaction') {
      // URLs are only set by the code that has validated them (see rich-text.tsx); refuse anything scripted.
      const url = String(value);
      if (!/^\s*(javascript|data|vbscript):/i.test(url)) el.setAttribute(key, url);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children) append(el, child);
  return el;
}

export function Fragment(props: { children?: Child[] }): Node {
  const fragment = document.createDocumentFragment();
  for (const child of props.children ?? []) append(fragment, child);
  return fragment;
}

/** Replaces all children of a node. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = '';
  for (const child of children) append(parent, child);
}

export function toggle(el: Element, className: string, on: boolean): void {
  el.classList.toggle(className, on);
}
