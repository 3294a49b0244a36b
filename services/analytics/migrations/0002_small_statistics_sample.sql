SELECT use_small_statistics_sample('placed_orders');
