// The hash chain's verification status (auditors and ACL admins).
import { Badge, Button, Group, Tooltip } from '@mantine/core';
import { IconLink, IconLinkOff } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { describeError } from '../api/api-error';
import { useApi } from '../auth/auth-context';

export function ChainStatus() {
  const api = useApi();
  const verify = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => api.audit.verify(),
    staleTime: 60_000,
  });
  const badge = verify.isPending ? (
    <Badge color="gray" variant="light">
      Verifying chain…
    </Badge>
  ) : verify.isError ? (
    <Tooltip label={describeError(verify.error)}>
      <Badge color="orange" variant="light">
        Chain status unavailable
      </Badge>
    </Tooltip>
  ) : verify.data.ok ? (
    <Badge
      color="green"
      variant="light"
      leftSection={<IconLink size={12} aria-hidden />}
      data-testid="chain-status"
    >
      Chain verified · {verify.data.rows.toLocaleString()} records
    </Badge>
  ) : (
    <Tooltip label={verify.data.problem.message}>
      <Badge color="red" leftSection={<IconLinkOff size={12} aria-hidden />} data-testid="chain-status">
        Chain broken at #{verify.data.problem.seq} ({verify.data.problem.kind})
      </Badge>
    </Tooltip>
  );
  return (
    <Group gap="xs">
      {badge}
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => void verify.refetch()}
        loading={verify.isFetching}
      >
        Verify again
      </Button>
    </Group>
  );
}
