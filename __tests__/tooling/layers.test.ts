// src/ is layered: each folder is a part, and imports only point down this order. cloudflare/ and
// github/ share a layer and never import each other; log/ imports no other part.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '..', '..', 'src');
const LAYERS: string[][] = [['.'], ['report'], ['operations'], ['inputs'], ['cloudflare', 'github'], ['http'], ['log']];
const layerOf = (part: string) => LAYERS.findIndex((layer) => layer.includes(part));
const partOf = (file: string) => (relative(src, file).includes('/') ? relative(src, file).split('/')[0]! : '.');

const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join(src, file));

describe('src/ layers', () => {
  it('every file is in a known part', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.map(partOf).filter((part) => layerOf(part) < 0)).toEqual([]);
  });

  it('imports only point down: report → operations → inputs → cloudflare | github → http → log', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const from = partOf(file);
        const to = partOf(resolve(dirname(file), specifier!));
        if (from !== to && layerOf(to) <= layerOf(from)) upward.push(`${relative(src, file)} → ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
