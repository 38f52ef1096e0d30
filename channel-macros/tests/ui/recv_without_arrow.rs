use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    select! {
        recv(r) => println!("got something"),
    }
}
