import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { changeModeToShadow } from '../../domain/acl-decisions';
import type { ChangeModeCommand } from './change-mode.command';

@Injectable()
export class ChangeModeHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: ChangeModeCommand): Promise<WriteResult> {
    return this.streams.write(command.pattern, command.ifMatch, changeModeToShadow, command.context);
  }
}
