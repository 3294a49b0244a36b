SELECT use_small_statistics_sample('orders', 'order_events');
