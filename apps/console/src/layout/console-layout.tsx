// The frame of every signed-in page: header with the user and their roles, navigation
// (a drawer at a phone's width), and the page in <main>.
import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconCube,
  IconFileSearch,
  IconFlask,
  IconKey,
  IconLogout,
  IconShieldLock,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { useAuth, useUser } from '../auth/auth-context';
import { endOidcSession } from '../auth/oidc-client';

interface NavItem {
  readonly to: string;
  readonly label: string;
  readonly icon: ReactNode;
}

export function ConsoleLayout() {
  const { user, can } = useUser();
  const { signOut, state, config } = useAuth();
  const viaOidc = state.status === 'signed-in' && state.method === 'oidc';
  function signOutEverywhere() {
    signOut();
    // A failed provider logout still leaves the console signed out.
    if (viaOidc && config.oidc) endOidcSession(config.oidc).catch(() => undefined);
  }
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const items: NavItem[] = [
    {
      to: '/models',
      label: can.readAcl ? 'Models & ACLs' : 'My models',
      icon: <IconCube size={18} aria-hidden />,
    },
    {
      to: '/audit',
      label: can.auditAll ? 'Audit explorer' : 'My audit records',
      icon: <IconFileSearch size={18} aria-hidden />,
    },
    ...(can.readAcl
      ? [{ to: '/simulator', label: 'Access simulator', icon: <IconFlask size={18} aria-hidden /> }]
      : []),
    { to: '/keys', label: 'API keys', icon: <IconKey size={18} aria-hidden /> },
  ];
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <IconShieldLock size={24} aria-hidden />
            <Title order={2} size="h4">
              Modelgate
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Stack gap={0} align="flex-end" visibleFrom="xs">
              <Text size="sm" fw={600} data-testid="signed-in-user">
                {user.id}
              </Text>
              <Group gap={4}>
                {user.roles.map((role) => (
                  <Badge key={role} size="xs" variant="light" color={role === 'acl-admin' ? 'red' : 'gray'}>
                    {role}
                  </Badge>
                ))}
                {!can.editAcl && can.readAcl && (
                  <Badge size="xs" variant="outline" color="gray">
                    read-only
                  </Badge>
                )}
              </Group>
            </Stack>
            <Button
              variant="subtle"
              size="compact-sm"
              leftSection={<IconLogout size={16} aria-hidden />}
              onClick={signOutEverywhere}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          {items.map((item) => (
            <NavLink
              key={item.to}
              component={RouterNavLink}
              to={item.to}
              label={item.label}
              leftSection={item.icon}
              active={
                location.pathname.startsWith(item.to) ||
                (item.to === '/models' && location.pathname.startsWith('/acl'))
              }
              onClick={close}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
