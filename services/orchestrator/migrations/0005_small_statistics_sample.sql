SELECT use_small_statistics_sample('saga_instances', 'saga_steps', 'saga_timers', 'refund_sagas');
