import { createTheme, type MantineColorsTuple } from '@mantine/core';

const fontFamily =
  'Inter, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif';

/** Parley's indigo, a touch deeper than the default so white text on it stays readable. */
const brand: MantineColorsTuple = [
  '#eef0ff',
  '#dcdfff',
  '#b6bcfb',
  '#8d96f7',
  '#6b74f3',
  '#565ff1',
  '#4a52f0',
  '#3b43d6',
  '#333bc0',
  '#2731aa',
];

export const theme = createTheme({
  primaryColor: 'brand',
  primaryShade: 7,
  colors: { brand },
  fontFamily,
  fontFamilyMonospace: '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontFamily, fontWeight: '650' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  fontSmoothing: true,
  components: {
    Tooltip: { defaultProps: { openDelay: 350, withArrow: true } },
    Modal: {
      defaultProps: { centered: true, radius: 'lg', padding: 'lg' },
      styles: { title: { fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' } },
    },
    Badge: { defaultProps: { radius: 'sm' } },
  },
});
