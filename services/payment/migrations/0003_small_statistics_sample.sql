SELECT use_small_statistics_sample('payments', 'ledger_entries');
