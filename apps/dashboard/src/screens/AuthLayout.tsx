import { Box, Group, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconBolt, IconLock, IconMessages } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Logo } from '../components/common.tsx';
import { LanguagePicker } from '../components/LanguagePicker.tsx';
import { useT } from '../i18n/index.tsx';

/** The frame of the sign-in, first-run and invitation screens. */
export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: ReactNode;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <div className="auth">
      <aside className="auth__brand">
        <Group gap="sm">
          <Logo size={36} inverse />
          <Text fw={700} fz={22} c="white">
            Parley
          </Text>
        </Group>
        <Stack gap="lg" maw={380}>
          <Title order={2} c="white" fw={650} lh={1.25}>
            {t('auth.tagline')}
          </Title>
          <Feature icon={<IconMessages size={18} />} text={t('auth.feature1')} />
          <Feature icon={<IconBolt size={18} />} text={t('auth.feature2')} />
          <Feature icon={<IconLock size={18} />} text={t('auth.feature3')} />
        </Stack>
        <Text c="brand.1" fz="sm">
          {t('auth.license')}
        </Text>
      </aside>
      <main className="auth__main">
        <Box className="auth__lang">
          <LanguagePicker />
        </Box>
        <Paper className="auth__card" p={{ base: 'lg', sm: 36 }} radius="lg" withBorder shadow="sm">
          <Stack gap={6} mb="lg">
            <Box hiddenFrom="md" mb="xs">
              <Logo size={36} />
            </Box>
            <Title order={2} fz={26}>
              {title}
            </Title>
            <Text c="dimmed" fz="sm">
              {subtitle}
            </Text>
          </Stack>
          {children}
        </Paper>
      </main>
    </div>
  );
}

function Feature({ icon, text }: { icon: ReactNode; text: string }) {
  return (
    <Group gap="sm" wrap="nowrap" align="flex-start">
      <ThemeIcon variant="white" color="brand" radius="xl" size={30}>
        {icon}
      </ThemeIcon>
      <Text c="brand.0" fz="md" pt={4}>
        {text}
      </Text>
    </Group>
  );
}
