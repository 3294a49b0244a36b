SELECT use_small_statistics_sample('reservations');
